# A small NovaCron estate managed by Terraform: a network, a volume, two VMs, a policy.
# Run it against `novacron serve` — see README.md in this directory.

terraform {
  required_providers {
    novacron = { source = "novacron/novacron" }
  }
}

# endpoint and api_key default to NOVACRON_URL and NOVACRON_API_KEY.
provider "novacron" {}

variable "environment" {
  type    = string
  default = "staging"
}

resource "novacron_policy" "owner_label" {
  name        = "require-owner-label"
  description = "Every VM says who owns it."
  kinds       = ["VM"]
  operations  = ["create", "update"]
  enforcement = "block"
  rego        = <<-REGO
    package novacron.owner

    deny contains {"msg": sprintf("VM %s needs an owner label", [input.resource.metadata.name])} if {
      not input.resource.metadata.labels.owner
    }
  REGO
}

resource "novacron_network" "app" {
  name = "${var.environment}-app"
  cidr = "10.42.0.0/24"

  firewall_rule {
    name  = "https"
    ports = "443"
  }
  firewall_rule {
    name  = "ssh-from-office"
    ports = "22"
    cidr  = "192.0.2.0/24"
  }
}

resource "novacron_storage" "db_data" {
  name      = "${var.environment}-db-data"
  size_gib  = 100
  class     = "ssd"
  encrypted = true
}

resource "novacron_vm" "web" {
  count      = 2
  name       = "${var.environment}-web-${count.index + 1}"
  vcpus      = 2
  memory_mib = 2048
  image      = "ubuntu-24.04"
  labels     = { env = var.environment, owner = "web-team", tier = "web" }

  network {
    name = novacron_network.app.name
  }
  open_port {
    port = 443
  }

  depends_on = [novacron_policy.owner_label]
}

resource "novacron_vm" "db" {
  name                = "${var.environment}-db-1"
  vcpus               = 4
  memory_mib          = 8192
  image               = "debian-12"
  disk_encryption     = true
  labels              = { env = var.environment, owner = "data-team", tier = "db" }
  anti_affinity_group = "db"

  network {
    name       = novacron_network.app.name
    ip_address = "10.42.0.10"
  }
  volume {
    name   = novacron_storage.db_data.name
    device = "vdb"
  }
  timeouts {
    create = "5m"
  }

  depends_on = [novacron_policy.owner_label]
}

data "novacron_vm" "db" {
  name = novacron_vm.db.name
}

output "web_vms" {
  value = novacron_vm.web[*].name
}

output "db_host" {
  value = data.novacron_vm.db.placed_host
}
