// Signs the Lambda zip with the stage's AWS Signer profile and replaces it with the signed zip:
// upload to the artifact bucket (unsigned/<sha256>.zip, versioned), start a signing job, wait for
// it, download what Signer wrote (signed/<job id>.zip). Bucket and profile come from the SSM
// parameters terraform/modules/ci/signing.tf writes; the role may sign with that profile only.
// Usage: node .github/scripts/sign-package.mjs STAGE ZIP   (outputs job_id and signed_sha256)
import crypto from 'node:crypto';
import fs from 'node:fs';
import { aws, runMain, setOutput, ssmParameter, stageArg } from './lib/aws.mjs';

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

// The signed object's bucket and key from describe-signing-job, or an error saying why not.
export function signedObject(job) {
  if (!job || job.status !== 'Succeeded') {
    throw new Error(`signing job ${job && job.jobId} ended ${job && job.status}: ${(job && job.statusReason) || 'no reason given'}`);
  }
  const s3 = job.signedObject && job.signedObject.s3;
  if (!s3 || typeof s3.bucketName !== 'string' || typeof s3.key !== 'string') throw new Error('signing job has no signed object');
  return { bucket: s3.bucketName, key: s3.key };
}

async function main() {
  const [stageIn, zip] = process.argv.slice(2);
  const stage = stageArg(stageIn);
  if (!zip || !fs.existsSync(zip)) throw new Error('usage: sign-package.mjs STAGE ZIP (the zip must exist)');
  const bucket = ssmParameter(`/orders/${stage}/signing/artifact_bucket`);
  const profile = ssmParameter(`/orders/${stage}/signing/profile_name`);
  const unsigned = sha256(zip);
  const key = `unsigned/${unsigned}.zip`;
  const put = aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', zip]);
  if (!put.VersionId) throw new Error(`s3://${bucket}/${key} has no version id: the source bucket must be versioned`);
  const started = aws(['signer', 'start-signing-job', '--profile-name', profile,
    '--source', JSON.stringify({ s3: { bucketName: bucket, key, version: put.VersionId } }),
    '--destination', JSON.stringify({ s3: { bucketName: bucket, prefix: 'signed/' } }),
    '--client-request-token', `${unsigned.slice(0, 32)}-${stage}`]);
  const jobId = started.jobId;
  if (!jobId) throw new Error('start-signing-job returned no job id');
  console.log(`sign-package: job ${jobId} (profile ${profile}) for ${key}`);
  try { aws(['signer', 'wait', 'successful-signing-job', '--job-id', jobId]); } catch (e) { console.error(e.message); }
  const object = signedObject(aws(['signer', 'describe-signing-job', '--job-id', jobId]));
  const tmp = `${zip}.signed`;
  aws(['s3api', 'get-object', '--bucket', object.bucket, '--key', object.key, tmp]);
  const head = Buffer.alloc(4);
  const fd = fs.openSync(tmp, 'r');
  fs.readSync(fd, head, 0, 4, 0);
  fs.closeSync(fd);
  if (!head.equals(ZIP_MAGIC)) throw new Error(`s3://${object.bucket}/${object.key} is not a zip`);
  const signed = sha256(tmp);
  if (signed === unsigned) throw new Error('the signed zip is the unsigned one: no signature was added');
  fs.renameSync(tmp, zip);
  console.log(`sign-package: ${zip} is now s3://${object.bucket}/${object.key} (sha256 ${signed}; unsigned ${unsigned})`);
  setOutput('job_id', jobId);
  setOutput('signed_sha256', signed);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('sign-package', main);
