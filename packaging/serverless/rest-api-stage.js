'use strict';

// Makes the REST API stage a CloudFormation resource that serverless.yml writes itself.
//
// Why: osls (like Serverless v3/v4) creates the stage implicitly through the
// AWS::ApiGateway::Deployment's StageName, and applies access logging, X-Ray tracing and tags to
// it with API calls *after* the stack update (lib/.../api-gateway/lib/hack/update-stage.js).
// Settings made that way are invisible in the template (no offline check can see them), drift
// from CloudFormation, and need the deployer to hold extra rights. serverless.yml instead declares
// `ApiGatewayStage` (AWS::ApiGateway::Stage: access log, tracing, throttling, no data trace) and
// this plugin wires it to the deployment the framework generates, whose logical id changes on
// every package (ApiGatewayDeployment<instanceId>) and so cannot be written in the YAML.
//
// It runs at package time only, on the template; nothing of it ships in the Lambda zip.

const STAGE_ID = 'ApiGatewayStage';
const USAGE_PLAN_TYPE = 'AWS::ApiGateway::UsagePlan';

function findDeploymentId(resources) {
  const ids = Object.keys(resources).filter(
    (id) => resources[id].Type === 'AWS::ApiGateway::Deployment'
  );
  if (ids.length !== 1) {
    throw new Error(`rest-api-stage: expected one API Gateway deployment, found ${ids.length}`);
  }
  return ids[0];
}

function addDependsOn(resource, id) {
  const current = resource.DependsOn;
  const list = current == null ? [] : Array.isArray(current) ? current : [current];
  if (!list.includes(id)) list.push(id);
  resource.DependsOn = list;
}

function wireStage(template) {
  const resources = template.Resources;
  const stage = resources[STAGE_ID];
  if (!stage || stage.Type !== 'AWS::ApiGateway::Stage') {
    throw new Error(`rest-api-stage: serverless.yml must declare ${STAGE_ID} (AWS::ApiGateway::Stage)`);
  }
  const deploymentId = findDeploymentId(resources);
  const deployment = resources[deploymentId];
  // The stage resource owns the stage now; two owners of one name fail the stack.
  delete deployment.Properties.StageName;
  stage.Properties.DeploymentId = { Ref: deploymentId };
  // The usage plan names the stage by string: it must wait for the stage, not only the deployment.
  for (const resource of Object.values(resources)) {
    if (resource.Type === USAGE_PLAN_TYPE) addDependsOn(resource, STAGE_ID);
  }
}

class RestApiStage {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () =>
        wireStage(this.serverless.service.provider.compiledCloudFormationTemplate),
    };
  }
}

module.exports = RestApiStage;
module.exports.wireStage = wireStage;
