import ControlPlane
import Foundation
import Hummingbird
import NovaCore
import Policy
import Rego

extension APIRoutes {
    /// Policy decisions, violations, dry-run evaluation, impact preview and rollback; the
    /// policies themselves are resources under `/v1/policies`.
    func policyRoutes(_ engine: PolicyEngine) -> [APIRoute] {
        let cp = controlPlane
        return [
            APIRoute(
                method: .post, path: "/v1/policy/evaluate", operationId: "evaluatePolicies",
                summary: "Dry-run the policies in force (or one, with `policy`) on any input", tag: "Policy",
                success: (200, "Each policy's deny and warn messages", nil), errorStatuses: [400, 401, 403], permission: .verb(.create, "rego")
            ) { request, context in
                let body = try await RequestBody.document(of: request, context: context)
                guard let input = body["input"] else { throw NovaError(.invalidRequest, "the body needs an input") }
                let decisions = try await engine.evaluate(input, policy: body["policy"]?.stringValue)
                return APIResponse.json(["decisions": .array(decisions.map(\.value))])
            },
            APIRoute(
                method: .post, path: "/v1/policy/preview", operationId: "previewPolicy",
                summary: "Which current resources a new or changed Policy document would object to", tag: "Policy",
                requestSchema: "Resource", success: (200, "The resources that would violate it", nil), errorStatuses: [400, 401, 403, 422],
                permission: .verb(.create, "rego")
            ) { request, context in
                let resource = try cp.resources(from: [try await RequestBody.document(of: request, context: context)], expectedKind: .policy)[0]
                let spec = PolicySpec.read(from: resource.spec)!
                let policy: RegoPolicy
                do throws(RegoError) { policy = try RegoPolicy(spec, name: resource.name) } catch {
                    throw NovaError(.validationFailed, error.description)
                }
                // Only kinds the caller may list are previewed: a preview must not tell which
                // resources of a kind it cannot read would violate.
                let principal = try context.requirePrincipal()
                let inventory = try await cp.inventory(as: principal)
                let findings = await engine.preview(policy, resources: inventory.resources, time: cp.clock.now)
                func reference(_ finding: PolicyEngine.PreviewFinding) -> Value {
                    ["kind": .string(finding.resource.kind.name), "name": .string(finding.resource.name)]
                }
                return APIResponse.json([
                    "policy": .string(resource.name), "hiddenKinds": .array(inventory.hiddenKinds.map(Value.string)),
                    "violations": .array(
                        findings.filter { $0.failure == nil }.map { finding in
                            ["resource": reference(finding), "deny": .array(finding.deny.map(\.value)), "warn": .array(finding.warn.map(\.value))]
                        }),
                    "errors": .array(
                        findings.compactMap { finding in
                            finding.failure.map { ["resource": reference(finding), "error": .string($0)] }
                        }),
                ])
            },
            APIRoute(
                method: .post, path: "/v1/policies/:name/rollback", operationId: "rollbackPolicy",
                summary: "Make an earlier version current again (itself a new, audited version)", tag: "Policy",
                query: [.init(name: "version", description: "the version to restore", type: "integer")],
                success: (200, "The policy as now current", "Resource"), errorStatuses: [400, 401, 403, 404, 409, 422]
            ) { request, context in
                let principal = try context.requirePrincipal()
                let name = try context.parameters.require("name")
                let target = try request.intQuery("version", default: 0)
                let history = try await cp.history(.policy, named: name, as: principal)
                guard let entry = history.first(where: { $0.version == target }), let document = entry.document, let spec = document["spec"] else {
                    throw NovaError(.notFound, "policy \(name) has no version \(target)")
                }
                var current = try await cp.get(.policy, named: name, as: principal)
                current.spec = spec
                let outcome = try await cp.replace(current, as: principal)
                return APIResponse.json(outcome.resource.document, headers: APIResponse.warningHeaders(outcome.warnings))
            },
            APIRoute(
                method: .get, path: "/v1/violations", operationId: "listViolations",
                summary: "Recorded policy violations (every mode), newest last", tag: "Policy",
                query: [
                    .init(name: "resource", description: "Kind/name or name"), .init(name: "policy", description: "policy name"),
                    .init(name: "since", description: "RFC 3339 time"), .init(name: "limit", description: "at most this many (100)", type: "integer"),
                ],
                success: (200, "Violations", nil), errorStatuses: [400, 401, 403]
            ) { request, context in
                try await cp.authorize(try context.requirePrincipal(), .list, "violations")
                let since = try request.query("since").map { (text: String) throws -> Date in
                    guard let date = Timestamp.parse(text) else { throw NovaError(.invalidRequest, "since must be an RFC 3339 time") }
                    return date
                }
                let items = try await engine.violations(
                    resource: request.query("resource"), policy: request.query("policy"), since: since,
                    limit: try request.intQuery("limit", default: 100))
                return APIResponse.json(["items": .array(items.map(\.value))])
            },
            APIRoute(
                method: .get, path: "/v1/policy/decisions", operationId: "policyDecisions",
                summary: "The decision log: policy, version, input fingerprint, result, latency", tag: "Policy",
                query: [.init(name: "limit", description: "at most this many (100)", type: "integer")],
                success: (200, "Decisions, newest last", nil), errorStatuses: [401, 403]
            ) { request, context in
                try await cp.authorize(try context.requirePrincipal(), .list, "violations")
                let items = try await engine.decisions(limit: try request.intQuery("limit", default: 100))
                return APIResponse.json(["items": .array(items.map(\.value)), "cacheHitRate": .double(await engine.cacheHitRate)])
            },
        ]
    }
}
