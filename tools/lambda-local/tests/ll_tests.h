#ifndef LL_TESTS_H
#define LL_TESTS_H
#include <check.h>

Suite *ll_apigw_suite(void);
Suite *ll_config_suite(void);
Suite *ll_cli_suite(void);
Suite *ll_cron_suite(void);
Suite *ll_sqs_suite(void);
Suite *ll_log_suite(void);

#endif
