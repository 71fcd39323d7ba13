//! How WebKit paints the window on a machine without a graphics processor.
//!
//! WebKitGTK (2.46 and later) paints web content with Skia on the GPU, through OpenGL. Where there
//! is no GPU device (most virtual machines and servers, the CI machine), Mesa's
//! software OpenGL (llvmpipe) runs those calls on the processor after compiling, in each new
//! process, every shader the page needs: rounded borders and form controls alone cost the first
//! screen some 70 ms here. Skia's own processor painter does the same work without that detour, so
//! there the app asks WebKit for it. With a GPU nothing changes. A desk that sets the variable
//! itself (to `0` or `1`) decides (README, "The desktop app"). A GPU whose driver Mesa cannot
//! use still has a render node: there WebKit's default stays, as before.

use std::ffi::OsStr;
use std::path::Path;

/// WebKit's switch between painting on the processor (`1`) and on the GPU (unset or `0`).
pub const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Where Linux lists the graphics devices; a GPU a program may draw with has a `renderD*` node.
const DRI: &str = "/dev/dri";

/// Whether `dir` holds a DRM render node, i.e. a GPU that OpenGL can use.
pub fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

/// Whether to ask for processor painting: only when the desk has not chosen and there is no GPU.
pub fn wants_cpu_painting(chosen: Option<&OsStr>, dri: &Path) -> bool {
    chosen.is_none() && !has_render_node(dri)
}

/// Sets [`CPU_PAINTING`] for this process and the WebKit processes it starts, when
/// [`wants_cpu_painting`]. Called first thing in `main`, before any thread exists (the environment
/// is not safe to change once other threads may read it).
pub fn choose() {
    if cfg!(target_os = "linux") && wants_cpu_painting(std::env::var_os(CPU_PAINTING).as_deref(), Path::new(DRI)) {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processor_painting_only_without_a_gpu_and_when_the_desk_has_not_chosen() {
        let no_gpu = tempfile::tempdir().unwrap();
        // A display controller without a render node (some virtual machines) is not a GPU.
        std::fs::write(no_gpu.path().join("card0"), b"").unwrap();
        let gpu = tempfile::tempdir().unwrap();
        std::fs::write(gpu.path().join("card0"), b"").unwrap();
        std::fs::write(gpu.path().join("renderD128"), b"").unwrap();
        let missing = no_gpu.path().join("absent");

        assert!(!has_render_node(no_gpu.path()));
        assert!(has_render_node(gpu.path()));
        assert!(!has_render_node(&missing));

        assert!(wants_cpu_painting(None, no_gpu.path()));
        assert!(wants_cpu_painting(None, &missing));
        assert!(!wants_cpu_painting(None, gpu.path()));
        // The desk's own choice stands, either way.
        assert!(!wants_cpu_painting(Some(OsStr::new("0")), no_gpu.path()));
        assert!(!wants_cpu_painting(Some(OsStr::new("1")), gpu.path()));
    }
}
