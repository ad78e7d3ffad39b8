variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 24
    error_message = "The VPC CIDR must be a valid IPv4 block of /24 or larger."
  }
}

variable "azs" {
  description = "Three availability zones of the region, one private and one database subnet in each."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3 && length(distinct(var.azs)) == 3
    error_message = "Exactly three distinct availability zones are required."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets (functions, RDS Proxy, interface endpoints), one per AZ."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_cidrs) == 3 && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Three valid IPv4 CIDR blocks are required for the private subnets."
  }

  # Truncating a subnet to the VPC's prefix length gives the VPC's block exactly when the subnet
  # lies inside it.
  validation {
    condition = alltrue([
      for c in var.private_subnet_cidrs : try(
        tonumber(split("/", c)[1]) >= tonumber(split("/", var.cidr)[1]) &&
        cidrsubnet("${cidrhost(c, 0)}/${split("/", var.cidr)[1]}", 0, 0) == cidrsubnet(var.cidr, 0, 0),
        false
      )
    ])
    error_message = "Every subnet must lie inside the VPC CIDR block."
  }
}

variable "database_subnet_cidrs" {
  description = "CIDR blocks of the isolated database subnets (Aurora only), one per AZ."
  type        = list(string)

  validation {
    condition     = length(var.database_subnet_cidrs) == 3 && alltrue([for c in var.database_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Three valid IPv4 CIDR blocks are required for the database subnets."
  }

  # Truncating a subnet to the VPC's prefix length gives the VPC's block exactly when the subnet
  # lies inside it.
  validation {
    condition = alltrue([
      for c in var.database_subnet_cidrs : try(
        tonumber(split("/", c)[1]) >= tonumber(split("/", var.cidr)[1]) &&
        cidrsubnet("${cidrhost(c, 0)}/${split("/", var.cidr)[1]}", 0, 0) == cidrsubnet(var.cidr, 0, 0),
        false
      )
    ])
    error_message = "Every subnet must lie inside the VPC CIDR block."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
