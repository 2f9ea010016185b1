import HTTPTypes
import NovaCore
import Policy
import Workflow

/// Builds the OpenAPI 3.1 document from the same route list the router is built from.
enum OpenAPIDocument {
    static let errorDescriptions: [Int: String] = [
        400: "Malformed request (bad JSON or YAML, bad query)", 401: "No valid API key", 403: "Not permitted, or refused by admission",
        404: "Not found", 409: "Conflict: stale resourceVersion or the name is taken", 422: "Validation failed; details list every problem",
        503: "Not ready",
    ]

    static func make(routes: [APIRoute], version: String) -> Value {
        var paths: [String: [String: Value]] = [:]
        for route in routes {
            var operation: [String: Value] = [
                "operationId": .string(route.operationId), "summary": .string(route.summary), "tags": [.string(route.tag)],
            ]
            var parameters: [Value] = route.pathParameters.map { name in
                ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            parameters += route.query.map { p in
                ["name": .string(p.name), "in": "query", "required": false, "description": .string(p.description), "schema": ["type": .string(p.type)]]
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let schema = route.requestSchema {
                operation["requestBody"] = [
                    "required": true,
                    "content": [
                        "application/json": ["schema": ref(schema)],
                        "application/yaml": ["schema": ref(schema)],
                    ],
                ]
            }
            var responses: [String: Value] = [:]
            var success: [String: Value] = ["description": .string(route.success.description)]
            if let schema = route.success.schema {
                success["content"] = .object([route.produces: ["schema": ref(schema)]])
            } else if route.success.status != 204 {
                success["content"] = .object([route.produces: ["schema": ["type": "string"]]])
            }
            responses[String(route.success.status)] = .object(success)
            for status in route.errorStatuses {
                responses[String(status)] = [
                    "description": .string(errorDescriptions[status] ?? "Error"),
                    "content": ["application/json": ["schema": ref("Error")]],
                ]
            }
            operation["responses"] = .object(responses)
            if route.isPublic { operation["security"] = [] }
            paths[route.openAPIPath, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "NovaCron API", "version": .string(version),
                "description":
                    "Declarative control plane for virtual-machine infrastructure. Every write goes through one door: validation, admission, store, audit, events.",
            ],
            "paths": .object(paths.mapValues(Value.object)),
            "security": [["bearerAuth": []]],
            "components": ["securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"]], "schemas": .object(schemas)],
        ]
    }

    private static func ref(_ name: String) -> Value { ["$ref": .string("#/components/schemas/\(name)")] }

    private static func list(_ item: String) -> Value {
        ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref(item)]]]
    }

    private static let object: Value = ["type": "object"]

    static let schemas: [String: Value] = [
        "Resource": [
            "type": "object", "required": ["kind", "metadata", "spec"],
            "properties": [
                "apiVersion": ["type": "string", "const": .string(Resource.apiVersion)],
                "kind": ["type": "string", "enum": .array((ResourceKind.builtIn + [.policy]).map { .string($0.name) })],
                "metadata": [
                    "type": "object", "required": ["name"],
                    "properties": [
                        "name": ["type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63],
                        "labels": ["type": "object", "additionalProperties": ["type": "string"]],
                        "annotations": ["type": "object", "additionalProperties": ["type": "string"]],
                        "resourceVersion": ["type": "string"], "uid": ["type": "string"], "managedBy": ["type": "string"],
                        "createdAt": ["type": "string", "format": "date-time"], "updatedAt": ["type": "string", "format": "date-time"],
                    ],
                ],
                "spec": [
                    "type": "object",
                    "description":
                        "VM: vcpus, memoryMiB, diskGiB, template|image, networks, volumes, placement, security, powerState. Network: cidr, vlan, gateway, dhcp, firewall. Volume: sizeGiB, class, encrypted. Template: image, os, defaults.",
                ],
                "status": [
                    "type": "object", "readOnly": true,
                    "properties": [
                        "phase": ["type": "string"], "message": ["type": "string"], "host": ["type": "string"], "observed": ["type": "object"],
                        "observedVersion": ["type": "integer"], "conditions": ["type": "array", "items": ["type": "object"]],
                    ],
                ],
            ],
        ],
        "ResourceList": [
            "type": "object", "required": ["items"],
            "properties": [
                "items": ["type": "array", "items": ref("Resource")], "nextCursor": ["type": ["string", "null"]],
            ],
        ],
        "MergePatch": ["type": "object", "description": "RFC 7386 JSON merge patch over {metadata, spec}"],
        "ApplyRequest": [
            "oneOf": [
                ["type": "array", "items": ref("Resource")],
                ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Resource")]]],
                ref("Resource"),
            ]
        ],
        "ApplyResult": [
            "type": "object",
            "properties": [
                "dryRun": ["type": "boolean"],
                "results": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "kind": ["type": "string"], "name": ["type": "string"],
                            "action": ["type": "string", "enum": ["created", "configured", "unchanged"]],
                            "resourceVersion": ["type": "integer"], "warnings": ["type": "array", "items": ref("Diagnostic")],
                        ],
                    ],
                ],
            ],
        ],
        "Event": object,
        "EventList": ["type": "object", "properties": ["items": ["type": "array", "items": ref("Event")], "lastSequence": ["type": "integer"]]],
        "AuditEntry": object, "AuditList": list("AuditEntry"),
        "AuditVerification": [
            "type": "object",
            "properties": [
                "intact": ["type": "boolean"], "entriesChecked": ["type": "integer"], "firstBrokenSequence": ["type": "integer"], "problem": ["type": "string"],
            ],
        ],
        "HistoryEntry": object, "History": list("HistoryEntry"),
        "TelemetrySample": object, "Telemetry": list("TelemetrySample"),
        "APIKey": [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "name": ["type": "string"], "role": ["type": "string"], "createdAt": ["type": "string"],
                "createdBy": ["type": "string"], "revokedAt": ["type": "string"],
            ],
        ],
        "APIKeyList": list("APIKey"),
        "APIKeyRequest": ["type": "object", "required": ["name", "role"], "properties": ["name": ["type": "string"], "role": ["type": "string"]]],
        "APIKeyCreated": ["allOf": [ref("APIKey"), ["type": "object", "properties": ["key": ["type": "string", "description": "the secret, shown once"]]]]],
        "Role": [
            "type": "object", "required": ["name", "rules"],
            "properties": [
                "name": ["type": "string"],
                "rules": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "verbs": ["type": "array", "items": ["type": "string"]], "resources": ["type": "array", "items": ["type": "string"]],
                        ],
                    ],
                ],
            ],
        ],
        "RoleList": list("Role"),
        "Workflow": [
            "type": "object", "required": ["steps"],
            "description":
                "A workflow definition: name, inputs, steps (name, action, inputs, dependsOn, retry, timeout, heartbeatTimeout, compensate, when, forEach), outputs, concurrency, deadline, sla",
            "properties": ["name": ["type": "string"], "steps": ["type": "array", "items": ["type": "object", "required": ["name", "action"]]]],
        ],
        "WorkflowSummary": [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "version": ["type": "integer"], "description": ["type": "string"], "steps": ["type": "array", "items": object],
                "suggestedConcurrency": ["type": "integer"], "created": ["type": "boolean"],
            ],
        ],
        "WorkflowList": list("WorkflowSummary"),
        "RunRequest": ["type": "object", "properties": ["inputs": object, "version": ["type": "integer"]]],
        "Run": [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "workflow": ["type": "string"], "version": ["type": "integer"],
                "status": ["type": "string", "enum": .array(RunStatus.allCases.map { .string($0.rawValue) })],
                "inputs": object, "output": [:], "error": [:], "startedBy": ["type": "string"], "createdAt": ["type": "string"],
                "updatedAt": ["type": "string"],
            ],
        ],
        "RunList": list("Run"),
        "RunState": [
            "type": "object",
            "properties": [
                "run": ref("Run"), "steps": ["type": "array", "items": object], "tasks": ["type": "array", "items": object],
                "live": ["type": "boolean"],
            ],
        ],
        "RunHistory": ["type": "object", "properties": ["items": ["type": "array", "items": object]]],
        "RunCancel": ["type": "object", "properties": ["reason": ["type": "string"]]],
        "RunSignal": ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"], "payload": [:]]],
        "ScheduleRequest": [
            "type": "object", "required": ["name", "workflow"],
            "properties": [
                "name": ["type": "string"], "workflow": ["type": "string"], "version": ["type": "integer"], "cron": ["type": "string"],
                "timezone": ["type": "string"], "on": ["type": "object", "description": "event fields to match: type, kind, name, phase, actor"],
                "inputs": object, "overlap": ["type": "string", "enum": .array(Schedule.Overlap.allCases.map { .string($0.rawValue) })],
                "catchupWindow": ["type": "string"],
            ],
        ],
        "Schedule": [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "workflow": ["type": "string"], "cron": ["type": "string"], "timezone": ["type": "string"],
                "paused": ["type": "boolean"], "nextFire": ["type": "string"], "lastSlot": ["type": "string"], "skipped": ["type": "integer"],
                "buffered": ["type": "array", "items": ["type": "string"]],
            ],
        ],
        "ScheduleList": list("Schedule"),
        "BackfillRequest": [
            "type": "object", "required": ["from", "to"],
            "properties": [
                "from": ["type": "string", "format": "date-time"],
                "to": ["type": "string", "format": "date-time"],
            ],
        ],
        "BackfillResult": ["type": "object", "properties": ["runs": ["type": "array", "items": ["type": "string"]]]],
        "RunDecision": ["type": "object", "required": ["task"], "properties": ["task": ["type": "string"], "comment": ["type": "string"]]],
        "Status": ["type": "object", "properties": ["status": ["type": "string"]]],
        "Diagnostic": [
            "type": "object", "required": ["code", "message"],
            "properties": [
                "code": ["type": "string"], "message": ["type": "string"], "severity": ["type": "string"], "path": ["type": "string"],
                "location": ["type": "object", "properties": ["file": ["type": "string"], "line": ["type": "integer"], "column": ["type": "integer"]]],
            ],
        ],
        "Error": [
            "type": "object", "required": ["error"],
            "properties": [
                "error": [
                    "type": "object", "required": ["code", "message"],
                    "properties": [
                        "code": ["type": "string"], "message": ["type": "string"], "details": ["type": "array", "items": ref("Diagnostic")],
                    ],
                ]
            ],
        ],
    ]
}
