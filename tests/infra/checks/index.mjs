// The full list of checks, structural first, then policy by area.
import structure from './structure.mjs';
import schema from './schema.mjs';
import plan from './plan.mjs';
import ordering from './ordering.mjs';
import database from './database.mjs';
import secretsKms from './secrets_kms.mjs';
import s3 from './s3.mjs';
import sqs from './sqs.mjs';
import network from './network.mjs';
import edge from './edge.mjs';
import logs from './logs.mjs';
import iam from './iam.mjs';
import iamRoles from './iam_roles.mjs';
import timeouts from './timeouts.mjs';
import scope from './scope.mjs';

export const ALL_CHECKS = [...structure, ...schema, ...plan, ...ordering, ...database, ...secretsKms, ...s3, ...sqs, ...network, ...edge, ...logs, ...iam, ...iamRoles, ...timeouts, ...scope];
