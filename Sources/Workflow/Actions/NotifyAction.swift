import NovaCore

/// Posts a notification to a webhook as JSON: `{"text", "workflow", "run", "step", "payload"}`
/// (the `text` field is what Slack-style incoming webhooks show). Input: `url`, `message`,
/// optional `payload`.
public struct NotifyAction: WorkflowAction {
    let http: HTTPRequestAction

    public init(policy: OutboundPolicy = .unrestricted) { http = HTTPRequestAction(policy: policy) }
    public var name: String { "notify" }

    public func run(_ input: Value, context: ActionContext) async throws -> Value {
        guard let url = input["url"]?.stringValue, let message = input["message"]?.stringValue else {
            throw StepError(code: "invalid_input", message: "notify needs url and message", isRetryable: false)
        }
        let body: Value = [
            "text": .string(message), "workflow": .string(context.workflow), "run": .string(context.run),
            "step": .string(context.task.description), "payload": input["payload"] ?? .null,
        ]
        let reply = try await http.run(["url": .string(url), "method": "POST", "body": body], context: context)
        return ["status": reply["status"] ?? .null]
    }
}
