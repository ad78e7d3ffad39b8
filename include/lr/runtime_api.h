#ifndef LR_RUNTIME_API_H
#define LR_RUNTIME_API_H
/* The Lambda Runtime API's wire names (version 2018-06-01), stated once for
 * its client (runtime/core) and for lambda-local, which serves it. Only the
 * protocol's names are shared: the emulator's server code and the runtime's
 * client code stay apart on purpose, so that one cannot hide a bug of the
 * other. */

#define LR_RAPI_PREFIX "/2018-06-01/runtime"
#define LR_RAPI_NEXT "/invocation/next"
#define LR_RAPI_INVOCATION "/invocation/" /* + request id + "/response" or "/error" */
#define LR_RAPI_RESPONSE "/response"
#define LR_RAPI_ERROR "/error"
#define LR_RAPI_INIT_ERROR "/init/error"

/* headers of /next's answer */
#define LR_RAPI_H_REQUEST_ID "Lambda-Runtime-Aws-Request-Id"
#define LR_RAPI_H_DEADLINE "Lambda-Runtime-Deadline-Ms"
#define LR_RAPI_H_FUNCTION_ARN "Lambda-Runtime-Invoked-Function-Arn"
#define LR_RAPI_H_TRACE_ID "Lambda-Runtime-Trace-Id"
#define LR_RAPI_H_CLIENT_CONTEXT "Lambda-Runtime-Client-Context"
#define LR_RAPI_H_COGNITO_IDENTITY "Lambda-Runtime-Cognito-Identity"
/* header of an error post */
#define LR_RAPI_H_ERROR_TYPE "Lambda-Runtime-Function-Error-Type"

#endif
