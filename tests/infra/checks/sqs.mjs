// SQS queues (IAC-RULES.md 22-24). A queue is a dead-letter queue when
// another queue's redrive policy targets it, or when its name says so (dlq,
// dead-letter: the failure destinations of Lambda and EventBridge, which
// nothing redrives from); every other queue is a source and needs a redrive
// policy and a visibility timeout of at least six worker timeouts.
import { all, verdict } from '../lib/result.mjs';
import {
  customerKeyProblem, companions, policyStatements, isTlsDeny, hasStarPrincipal, show,
  refTarget, declaredTimeouts, WORKER_TIMEOUT, isObj,
} from '../lib/policy.mjs';

// AWS guidance for Lambda event sources: visibility ≥ 6 × function timeout.
export const VISIBILITY_FACTOR = 6;
export const MIN_RECEIVE_COUNT = 5;
// SQS's default retention when message_retention_seconds is unset.
const DEFAULT_RETENTION = 345600;

const queues = (ctx) => ctx.blocks('resource', 'aws_sqs_queue');

/** The redrive policy of a queue: its redrive_policy or an aws_sqs_queue_redrive_policy. */
function redrive(ctx, t) {
  let v = t.get('redrive_policy');
  if (v === undefined) {
    const r = companions(ctx, t, 'aws_sqs_queue_redrive_policy', 'queue_url')[0];
    v = r && r.get('redrive_policy');
  }
  if (typeof v === 'string') { try { v = JSON.parse(v); } catch { return { problem: 'redrive_policy is not JSON' }; } }
  return { value: v };
}

function dlqOf(ctx, t) {
  const r = redrive(ctx, t).value;
  return isObj(r) ? refTarget(r.deadLetterTargetArn) : null;
}

/** Split queues into sources and dead-letter queues, per instance. */
function classify(ctx) {
  const all_ = queues(ctx);
  const targets = new Set(all_.map((t) => dlqOf(ctx, t)).filter(Boolean).map((id) => id));
  // By name only when the name ends so (orders-dlq, async_dlq, …-dead-letter):
  // "orders-dlq-processor" is a source and keeps every source rule.
  const DLQ_NAME = /([-_]dlq|dead[-_]?letter)(\.fifo)?$/i;
  const isDlq = (t) => targets.has(`aws_sqs_queue.${t.block.name}`)
    || DLQ_NAME.test(t.block.name) || (typeof t.get('name') === 'string' && DLQ_NAME.test(t.get('name')));
  return { sources: all_.filter((t) => !isDlq(t)), dlqs: all_.filter(isDlq) };
}

export const sqsEncryption = {
  name: 'sqs_encryption', ids: ['CKV_AWS_27', 'AVD-AWS-0096', 'SQS.1', 'W48'],
  run: (ctx) => queues(ctx).map((t) => verdict(t, customerKeyProblem(t.get('kms_master_key_id'), 'kms_master_key_id'))),
};

const isWild = (x) => x === '*' || (typeof x === 'string' && /(^|:)\*$/.test(x) && !x.includes('/'));

export const sqsQueuePolicy = {
  name: 'sqs_queue_policy', ids: ['CKV_AWS_72', 'AVD-AWS-0097', 'SQS.3', 'F20', 'F21'],
  run: (ctx) => queues(ctx).map((t) => {
    const pols = companions(ctx, t, 'aws_sqs_queue_policy', 'queue_url');
    if (!pols.length) return verdict(t, 'no aws_sqs_queue_policy (a TLS-only policy is required)');
    const { statements, problem } = policyStatements(ctx, pols[0].policy('policy'));
    if (problem) return verdict(t, problem);
    const allows = statements.filter((s) => s.effect === 'Allow');
    return all(t, [
      statements.some(isTlsDeny) ? null : 'policy has no Deny on aws:SecureTransport = false',
      allows.some(hasStarPrincipal) ? 'policy allows principal "*"' : null,
      allows.some((s) => s.actions.some(isWild)) ? 'policy allows a wildcard action' : null,
    ]);
  }),
};

export const sqsRedrive = {
  name: 'sqs_redrive', ids: ['ES6000', 'IAC.24'],
  run: (ctx) => classify(ctx).sources.map((t) => {
    const r = redrive(ctx, t);
    if (r.problem) return verdict(t, r.problem);
    if (!isObj(r.value)) return verdict(t, `redrive policy is ${show(r.value)}: a source queue needs a dead-letter queue`);
    const n = r.value.maxReceiveCount;
    return all(t, [
      refTarget(r.value.deadLetterTargetArn) || typeof r.value.deadLetterTargetArn === 'string' ? null : 'deadLetterTargetArn is not set',
      typeof n === 'number' && n >= MIN_RECEIVE_COUNT ? null : `maxReceiveCount is ${show(n)}, must be at least ${MIN_RECEIVE_COUNT}`,
    ]);
  }),
};

export const sqsVisibility = {
  name: 'sqs_visibility', ids: ['ES6000', 'IAC.24'],
  run: (ctx) => classify(ctx).sources.map((t) => {
    const vis = t.get('visibility_timeout_seconds');
    const worker = declaredTimeouts(ctx.tree, t.inst, WORKER_TIMEOUT)[0];
    if (!worker) return verdict(t, 'no worker timeout declared (variable or local worker_timeout_seconds) to check the visibility timeout against');
    if (typeof worker.value !== 'number') return verdict(t, `${worker.name} is ${show(worker.value)}`);
    if (typeof vis !== 'number') return verdict(t, `visibility_timeout_seconds is ${show(vis)}, must be at least ${VISIBILITY_FACTOR} × ${worker.name}`);
    const need = VISIBILITY_FACTOR * worker.value;
    return verdict(t, vis >= need ? null : `visibility_timeout_seconds ${vis} < ${VISIBILITY_FACTOR} × ${worker.name} (${worker.value}) = ${need}`);
  }),
};

export const sqsDlqRetention = {
  name: 'sqs_dlq_retention', ids: ['ES6000', 'IAC.24'],
  run: (ctx) => classify(ctx).sources.flatMap((t) => {
    const dlqId = dlqOf(ctx, t);
    const dlq = dlqId && queues(ctx).find((q) => q.inst === t.inst && `aws_sqs_queue.${q.block.name}` === dlqId);
    if (!dlq) return [];
    const ret = (q) => { const v = q.get('message_retention_seconds'); return v === undefined ? DEFAULT_RETENTION : v; };
    const src = ret(t);
    const dst = ret(dlq);
    if (typeof src !== 'number' || typeof dst !== 'number') return [verdict(t, `retention not statically known (source ${show(src)}, DLQ ${show(dst)})`)];
    return [verdict(t, dst >= src ? null : `DLQ ${dlq.id} keeps messages ${dst} s, less than the source's ${src} s`)];
  }),
};

export default [sqsEncryption, sqsQueuePolicy, sqsRedrive, sqsVisibility, sqsDlqRetention];
