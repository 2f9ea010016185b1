import NovaCore
import Testing
import Workflow

@Suite struct SecretRedactionTests {
    static let key = "nck_0123456789ab_" + String(repeating: "Zz9", count: 13) + "Q"

    @Test func apiKeysAreMaskedWhereverTheyAppear() {
        let output: Value = ["stdout": .string("key: \(Self.key)\n"), "lines": [.string(Self.key)], "plain": "nck_ is just text"]
        let redacted = SecretRedaction.redact(output)
        #expect(redacted == ["stdout": "key: [redacted]\n", "lines": ["[redacted]"], "plain": "nck_ is just text"])
    }

    @Test func secretFieldsAreMaskedWhateverTheirValue() {
        let input: Value = [
            "headers": ["Authorization": "Bearer abc", "X-Api-Key": "k", "Accept": "json"],
            "db_password": 1234, "refreshToken": ["a": 1], "note": "public", "secret": .null,
        ]
        #expect(
            SecretRedaction.redact(input) == [
                "headers": ["Authorization": "[redacted]", "X-Api-Key": "[redacted]", "Accept": "json"],
                "db_password": "[redacted]", "refreshToken": "[redacted]", "note": "public", "secret": .null,
            ])
    }
}
