import CLibvirt
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// libxml2 must be initialised once before threads use it, and two libraries here use it:
/// FoundationXML (the XML NovaCron writes and reads) and libvirt (the XML it parses itself).
/// Each initialises it on its own first use; two first uses at once — building domain XML on one
/// thread while another opened a libvirt host — crashed inside libxml2's initialisation (seen in
/// CI). Everything in this module that touches XML or libvirt first reads `ready`, which does
/// both initialisations in one place, once: Swift runs a static's initialiser exactly once and
/// makes other threads wait for it.
enum SharedLibraries {
    static let ready: Void = {
        _ = XMLElement(name: "novacron")  // FoundationXML's one-time libxml2 set-up
        _ = virInitialize()
    }()
}
