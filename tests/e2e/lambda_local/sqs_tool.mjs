#!/usr/bin/env node
// The e2e suite's SQS client for fauxqs (JSON protocol, unsigned: fauxqs
// does not check signatures).
//   sqs_tool.mjs ENDPOINT send QUEUE_URL BODY...   one SendMessage per body
//   sqs_tool.mjs ENDPOINT count QUEUE_URL          visible+in-flight messages
//   sqs_tool.mjs ENDPOINT bodies QUEUE_URL         receive and print the bodies (then leave them)
//   sqs_tool.mjs ENDPOINT create NAME VIS MAXRC    queue NAME (visibility VIS s) redriving to NAME-dlq
//                                                  after MAXRC receives; prints both URLs
const [endpoint, verb, queueUrl, ...rest] = process.argv.slice(2);
async function call(target, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${target}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10000), // a hung fauxqs fails the check instead of the suite's time limit
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}
if (verb === 'send') {
  for (const b of rest) {
    const attrs = { kind: { DataType: 'String', StringValue: 'e2e' } };
    await call('SendMessage', {
      QueueUrl: queueUrl, MessageBody: b, MessageAttributes: attrs,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' } },
    });
  }
} else if (verb === 'count') {
  const a = await call('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['All'] });
  const n = (k) => Number(a.Attributes[k] || 0);
  console.log(n('ApproximateNumberOfMessages') + n('ApproximateNumberOfMessagesNotVisible') + n('ApproximateNumberOfMessagesDelayed'));
} else if (verb === 'bodies') {
  const r = await call('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
  console.log((r.Messages || []).map((m) => m.Body).sort().join(' '));
} else if (verb === 'create') {
  const [vis, maxrc] = rest;
  const dlq = await call('CreateQueue', { QueueName: `${queueUrl}-dlq` });
  const a = await call('GetQueueAttributes', { QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] });
  const q = await call('CreateQueue', {
    QueueName: queueUrl,
    Attributes: { VisibilityTimeout: vis, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: a.Attributes.QueueArn, maxReceiveCount: Number(maxrc) }) },
  });
  console.log(`${q.QueueUrl} ${dlq.QueueUrl}`);
} else {
  console.error('usage: sqs_tool.mjs ENDPOINT send|count|bodies QUEUE_URL [BODY...]');
  process.exit(2);
}
