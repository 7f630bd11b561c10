# Sourced by the scripts that run a built modver.
# modver_bin PROFILE: where `cargo build` (PROFILE debug) or `cargo build
# --release` (PROFILE release) leaves the modver binary. .cargo/config.toml
# names the host as the build target (for the static link), so cargo puts
# artifacts under target/<host tuple>/PROFILE/; CARGO_TARGET_DIR moves
# target/ as it does for cargo.
modver_bin() {
	local root host
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	host=$(rustc -vV | sed -n 's/^host: //p')
	echo "${CARGO_TARGET_DIR:-$root/target}/$host/$1/modver"
}
