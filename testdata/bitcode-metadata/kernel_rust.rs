//! Rust shapes the kernel's Rust code produces in debug info: namespaces,
//! enums with data (variant parts), generics (template parameters),
//! references, slices, trait objects, exported functions and statics.
#![no_std]
#![crate_type = "lib"]

pub mod driver {
    #[repr(C)]
    pub struct Device {
        pub id: u32,
        pub name: &'static str,
        pub flags: Flags,
    }

    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct Flags(pub u64);

    pub enum State {
        Idle,
        Running { pid: i32, ticks: u64 },
        Failed(i64),
    }

    #[repr(u8)]
    pub enum Level {
        Low = 1,
        High = 200,
    }

    pub trait Ops {
        fn probe(&self, dev: &Device) -> i32;
    }

    pub struct Wrapper<T, const N: usize> {
        pub items: [T; N],
        pub len: usize,
    }
}

use driver::*;

#[no_mangle]
pub static mut EXPORTED_DEVICE: Device = Device { id: 7, name: "dev", flags: Flags(1) };

#[no_mangle]
pub static LEVELS: [Level; 2] = [Level::Low, Level::High];

#[no_mangle]
pub extern "C" fn rust_state_code(s: &State) -> i64 {
    match s {
        State::Idle => 0,
        State::Running { pid, ticks } => *pid as i64 + *ticks as i64,
        State::Failed(e) => *e,
    }
}

#[no_mangle]
pub extern "C" fn rust_sum(w: &Wrapper<u16, 4>, ops: &dyn Ops, dev: &Device, data: &[u8]) -> i64 {
    let mut s = ops.probe(dev) as i64 + data.len() as i64;
    for i in 0..w.len.min(4) {
        s += w.items[i] as i64;
    }
    s
}

#[no_mangle]
pub extern "C" fn rust_opt(x: Option<&Device>, r: Result<u32, i8>) -> u32 {
    x.map_or(0, |d| d.id) + r.unwrap_or(3)
}
