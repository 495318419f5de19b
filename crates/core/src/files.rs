//! Reading the files a user names (modules, scenario files, inputs): a device is refused and
//! a file is read up to a cap, so a path that never ends cannot take the machine's memory.

use std::path::Path;

/// The most this tool reads of a module or an input a user names: 1 GiB.
pub const FILE_CAP: u64 = 1 << 30;

/// The most it reads of a scenario file's text: 16 MiB.
pub const TEXT_CAP: u64 = 16 << 20;

/// Reads a file a user named, refusing a device and anything past `cap` bytes: a device
/// that never ends (`--guest /dev/zero`) was read whole until the kernel killed the run,
/// 2026-11-30. A pipe is read, up to the cap.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = file.metadata()?.file_type();
        if kind.is_char_device() || kind.is_block_device() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "a device, not a file"));
        }
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        let msg = format!("larger than {} MiB, the most this tool reads of one file", cap >> 20);
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, msg));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_up_to_its_cap_and_a_device_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ten");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_capped(&f, 10).unwrap(), b"0123456789");
        let e = read_capped(&f, 9).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
        let e = read_capped(Path::new("/dev/zero"), FILE_CAP).unwrap_err();
        assert_eq!(e.to_string(), "a device, not a file");
    }
}
