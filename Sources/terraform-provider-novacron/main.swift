import Foundation
import TerraformProvider

// Terraform starts this binary; everything it needs comes from the environment go-plugin sets.
// Ctrl-C in a terminal reaches the whole process group: like go-plugin's own plugins, the
// provider ignores it and lets Terraform stop it (StopProvider, then the controller's Shutdown),
// so an apply in flight is not cut off mid-request.
signal(SIGINT, SIG_IGN)
do {
    try await PluginServer.run()
} catch let error as PluginServer.StartError {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("terraform-provider-novacron: \(error)\n".utf8))
    exit(1)
}
