output "queue_url" {
  description = "URL of the orders queue."
  value       = aws_sqs_queue.orders.url
}

output "queue_arn" {
  description = "ARN of the orders queue."
  value       = aws_sqs_queue.orders.arn
}

output "queue_name" {
  description = "Name of the orders queue (CloudWatch dimension QueueName)."
  value       = aws_sqs_queue.orders.name
}

output "dlq_arn" {
  description = "ARN of the orders dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the orders dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "async_failure_dlq_arn" {
  description = "ARN of the queue receiving the cleanup function's failed asynchronous invocations and EventBridge target failures."
  value       = aws_sqs_queue.async_failure.arn
}

output "async_failure_dlq_name" {
  description = "Name of the asynchronous-failure queue."
  value       = aws_sqs_queue.async_failure.name
}

output "key_arn" {
  description = "KMS key encrypting the queues."
  value       = module.key.key_arn
}
