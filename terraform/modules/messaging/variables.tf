variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "worker_timeout_seconds" {
  description = "Timeout of the worker function; the queue's visibility timeout is six times this (AWS guidance for SQS event sources)."
  type        = number
  default     = 30

  validation {
    condition     = var.worker_timeout_seconds >= 1 && var.worker_timeout_seconds <= 900
    error_message = "The worker timeout must be between 1 and 900 seconds."
  }
}

variable "max_receive_count" {
  description = "Deliveries of a message before it moves to the DLQ (at least 5, so a throttled or briefly failing worker does not dead-letter good messages)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 5 && var.max_receive_count <= 1000
    error_message = "maxReceiveCount must be between 5 and 1000."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the orders queue (4 days); the DLQs keep 14 days, longer than the source."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds < 1209600
    error_message = "The source retention must be between 60 s and less than the DLQ's 14 days."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
