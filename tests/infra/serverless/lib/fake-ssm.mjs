// A stand-in for SSM's GetParameter on 127.0.0.1, so that the deploy path of serverless.yml
// (packaging/infra/ssm.yml: ${ssm:/orders/<stage>/...}) runs for real without AWS: osls uses the
// AWS SDK v3, which honours AWS_ENDPOINT_URL_SSM. It serves exactly the names Terraform publishes
// (anything else is ParameterNotFound, as in AWS) and records what was asked.
import http from 'node:http';

const MAX_BODY = 64 * 1024; // a GetParameter request is a few hundred bytes

// Values shaped like the real ones, distinct from packaging/infra/offline.yml's, so a check can
// tell which path a template came from.
const ACCOUNT = '123456789012';
function valueFor(name, stage) {
  const arn = (svc, res) => `arn:aws:${svc}:eu-west-1:${ACCOUNT}:${res}`;
  const table = {
    'network/private_subnet_ids': ['StringList', 'subnet-0ssm000000000000a,subnet-0ssm000000000000b'],
    'network/lambda_security_group_id': ['String', 'sg-0ssm0000000000001'],
    'db/proxy_endpoint': ['String', `orders-${stage}.proxy-c0ssm.eu-west-1.rds.amazonaws.com`],
    'db/proxy_resource_id': ['String', 'prx-0ssm0000000000001'],
    'db/name': ['String', 'orders'],
    'db/migrator_user': ['String', 'orders_migrator'],
    'db/api_user': ['String', 'orders_api'],
    'db/worker_user': ['String', 'orders_worker'],
    'db/cleanup_user': ['String', 'orders_cleanup'],
    'queue/url': ['String', `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders-${stage}-orders`],
    'queue/arn': ['String', arn('sqs', `orders-${stage}-orders`)],
    'queue/dlq_arn': ['String', arn('sqs', `orders-${stage}-orders-dlq`)],
    'queue/async_failure_dlq_arn': ['String', arn('sqs', `orders-${stage}-async-dlq`)],
    'archive/bucket_name': ['String', `orders-${stage}-archive-ssm`],
    'archive/bucket_arn': ['String', `arn:aws:s3:::orders-${stage}-archive-ssm`],
    'kms/queue_key_arn': ['String', arn('kms', 'key/11111111-1111-1111-1111-111111111111')],
    'kms/archive_key_arn': ['String', arn('kms', 'key/22222222-2222-2222-2222-222222222222')],
    'kms/lambda_key_arn': ['String', arn('kms', 'key/33333333-3333-3333-3333-333333333333')],
    'edge/domain_name': ['String', `api.${stage}.ssm.example.com`],
    'edge/certificate_arn': ['String', arn('acm', 'certificate/44444444-4444-4444-4444-444444444444')],
    'edge/waf_acl_arn': ['String', arn('wafv2', `regional/webacl/orders-${stage}/55555555-5555-5555-5555-555555555555`)],
    'observability/alarm_topic_arn': ['String', arn('sns', `orders-${stage}-alarms`)],
    'signing/code_signing_config_arn': ['String', arn('lambda', 'code-signing-config:csc-0ssm0000000000001')],
  };
  return table[name] || ['String', `value-of-${name.replace(/\W/g, '-')}`];
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

// published: Set of names relative to /orders/<stage>/ (Terraform's). Resolves to
// { url, requested: [full names], close() }.
export function startFakeSsm({ stage, published }) {
  const requested = [];
  const prefix = `/orders/${stage}/`;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      let name = null;
      try { name = JSON.parse(body).Name; } catch { /* answered below */ }
      if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || typeof name !== 'string') {
        return reply(res, 400, { __type: 'ValidationException', message: 'GetParameter only' });
      }
      requested.push(name);
      const rel = name.startsWith(prefix) ? name.slice(prefix.length) : null;
      if (!rel || !published.has(rel)) {
        return reply(res, 400, { __type: 'ParameterNotFound', message: `${name} not published by Terraform` });
      }
      const [Type, Value] = valueFor(rel, stage);
      return reply(res, 200, { Parameter: { Name: name, Type, Value, Version: 1 } });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      requested,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}
