import Foundation

/// OpenBLAS's `cblas_sgemm`, when the machine has the library (Debian's `libopenblas0`), found
/// when first needed rather than linked: NovaCron builds and runs without it, on the network's
/// own Swift loops, and uses it where it is installed — it picks kernels for the CPU it runs on
/// (AVX-512 here), which code compiled for baseline x86-64 cannot.
///
/// One thread: training is measured per CPU-second, and a server has other work for its cores. `NOVACRON_BLAS=off` keeps the Swift loops (for comparison).
enum BLAS {
    /// `cblas_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`.
    typealias GEMM =
        @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
            UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void

    static let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112

    /// The library's sgemm, or nil where it is not installed or turned off.
    static let gemm: GEMM? = {
        guard ProcessInfo.processInfo.environment["NOVACRON_BLAS"] != "off" else { return nil }
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = coreType() { setenv("OPENBLAS_CORETYPE", core, 0) }
        for name in ["libopenblas.so.0", "libopenblas.so"] {
            guard let library = dlopen(name, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(library, "cblas_sgemm") else { continue }
            if let threads = dlsym(library, "openblas_set_num_threads") { unsafeBitCast(threads, to: SetThreads.self)(1) }
            return unsafeBitCast(symbol, to: GEMM.self)
        }
        return nil
    }()

    /// The kernels to ask OpenBLAS for, from the CPU's flags. Debian's OpenBLAS 0.3.21 does not
    /// recognise this machine's CPU (a virtual "Intel Xeon Processor" with AVX-512) and fell
    /// back to its SSE3 "Prescott" kernels, half the speed of its AVX-512 ones; naming the family
    /// it has kernels for fixes that. Nil (OpenBLAS decides) without AVX2.
    static func coreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SKYLAKEX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "HASWELL" }
        return nil
    }

    /// C (m × n) = op(A) · op(B) + beta · C, all row-major; op(A) is m × k, op(B) k × n.
    ///
    /// A product over a million multiply-adds is made in equal slices of C's rows: OpenBLAS
    /// sends anything bigger (a 128-wide layer over a batch of 64 is just over) to its general
    /// kernel, which first copies both operands into packed panels, where smaller ones go
    /// straight to its direct "small matrix" kernels (the packing was 7% of a DQN step). Not with op(B)
    /// transposed: OpenBLAS keeps those from the direct kernels at any size, and each slice
    /// would pack B again.
    static func multiply(
        _ gemm: GEMM, _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
        into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, beta: Float
    ) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let slices = transposeB ? 1 : (m * n * k + directLimit - 1) / directLimit
        let rows = (m + slices - 1) / slices
        var row = 0
        while row < m {
            let count = min(rows, m - row)
            // Row `row` of op(A) starts `row` rows into A, or `row` columns into Aᵀ.
            let slice = a + (transposeA ? row : row * lda)
            gemm(
                rowMajor, transposeA ? transpose : noTranspose, transposeB ? transpose : noTranspose, Int32(count), Int32(n), Int32(k), 1,
                slice, Int32(lda), b, Int32(ldb), beta, c + row * n, Int32(n))
            row += count
        }
    }

    /// OpenBLAS's limit (m·n·k) for its direct kernels.
    static let directLimit = 1_000_000
}
