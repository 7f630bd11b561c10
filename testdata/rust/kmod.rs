//! A kernel-style Rust crate (written for modver): the shapes Rust code in
//! the kernel gives gendwarfksyms, compiled as kbuild compiles a Rust
//! object (see build.sh). Every global it defines is versioned, as
//! rust/Makefile's rust_exports lists them: v0-mangled functions and
//! statics of nested modules (long names), generic instantiations,
//! `#[no_mangle]` C-ABI exports, and the types they reach: repr(C) and
//! Rust-layout structs, enums with data (variant parts), fieldless
//! enums with explicit discriminants, unions, references, raw pointers,
//! slices, `&str`, arrays, trait objects, function pointers, `Option`
//! and `Result`, tuples, `PhantomData`, const generics, zero-sized types.
#![no_std]
#![crate_type = "rlib"]

use core::marker::PhantomData;

pub mod bindings {
    //! What bindgen makes of C types.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct list_head {
        pub next: *mut list_head,
        pub prev: *mut list_head,
    }

    #[repr(C)]
    pub struct device {
        pub id: u32,
        pub flags: u64,
        pub node: list_head,
        pub release: Option<unsafe extern "C" fn(dev: *mut device)>,
    }

    #[repr(C)]
    pub union reg {
        pub word: u32,
        pub bytes: [u8; 4],
    }

    extern "C" {
        pub fn printk(fmt: *const u8, ...) -> i32;
    }
}

pub mod kernel {
    pub mod error {
        /// The kernel crate's `Error`: a negative errno.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub struct Error(i32);

        impl Error {
            pub const fn from_errno(e: i32) -> Error {
                Error(e)
            }
            #[inline(never)]
            pub fn to_errno(self) -> i32 {
                self.0
            }
        }

        pub type Result<T = (), E = Error> = core::result::Result<T, E>;

        #[inline(never)]
        pub fn to_result(err: i32) -> Result {
            if err < 0 {
                Err(Error(err))
            } else {
                Ok(())
            }
        }
    }

    pub mod device {
        use super::super::bindings;
        use super::error::{Error, Result};
        use core::marker::PhantomData;

        pub trait Driver {
            fn probe(&self, dev: &Device<'_>) -> Result<u32>;
            fn name(&self) -> &'static str;
        }

        /// A borrowed C device.
        pub struct Device<'a> {
            pub raw: *mut bindings::device,
            pub name: &'a str,
            pub _p: PhantomData<&'a mut bindings::device>,
        }

        pub enum State {
            Unbound,
            Probing { attempt: u8, deadline: u64 },
            Bound(&'static dyn Driver),
            Failed(Error),
        }

        #[repr(u16)]
        #[derive(Clone, Copy)]
        pub enum Class {
            Char = 1,
            Block = 2,
            Net = 0x8000,
        }

        pub struct Table<T, const N: usize> {
            pub slots: [Option<T>; N],
            pub used: usize,
        }

        impl<'a> Device<'a> {
            #[inline(never)]
            pub fn id(&self) -> u32 {
                // SAFETY: a fixture; the pointer is never dereferenced by the test.
                unsafe { (*self.raw).id }
            }
        }

        #[inline(never)]
        pub fn state_code(s: &State) -> i64 {
            match s {
                State::Unbound => 0,
                State::Probing { attempt, deadline } => *attempt as i64 + *deadline as i64,
                State::Bound(d) => d.name().len() as i64,
                State::Failed(e) => e.to_errno() as i64,
            }
        }

        #[inline(never)]
        pub fn register(
            dev: &mut Device<'_>,
            drv: &'static dyn Driver,
            class: Class,
            table: &mut Table<(u32, &'static str), 4>,
        ) -> Result<usize> {
            let id = drv.probe(dev)?;
            let i = table.used;
            if i >= 4 {
                return Err(Error::from_errno(-28));
            }
            table.slots[i] = Some((id + class as u32, drv.name()));
            table.used += 1;
            Ok(i)
        }

        #[inline(never)]
        pub fn for_each(devs: &[Device<'_>], f: fn(&Device<'_>) -> bool) -> usize {
            devs.iter().filter(|d| f(d)).count()
        }
    }
}

use kernel::device::{Class, Device, State, Table};

/// A generic function, instantiated below: each instance is a symbol.
#[inline(never)]
pub fn max_of<T: PartialOrd + Copy>(items: &[T], init: T) -> T {
    items
        .iter()
        .fold(init, |m, &x| if x > m { x } else { m })
}

#[inline(never)]
pub fn max_u32(items: &[u32]) -> u32 {
    max_of(items, 0u32)
}

#[inline(never)]
pub fn max_i64(items: &[i64]) -> i64 {
    max_of(items, i64::MIN)
}

pub struct Zst;

pub struct Typed<T> {
    pub value: u64,
    pub _t: PhantomData<T>,
}

#[inline(never)]
pub fn typed_value(t: &Typed<Zst>, z: Zst, pair: (u8, i128)) -> u64 {
    let _ = z;
    t.value + pair.0 as u64 + pair.1 as u64
}

pub static mut DEFAULT_CLASS: Class = Class::Char;
pub static STATES: [u8; 3] = [1, 2, 3];
pub static mut TABLE: Table<(u32, &'static str), 4> = Table { slots: [None; 4], used: 0 };

#[no_mangle]
pub extern "C" fn rust_state_code(s: *const State) -> i64 {
    // SAFETY: callers pass a valid State.
    kernel::device::state_code(unsafe { &*s })
}

#[no_mangle]
pub extern "C" fn rust_reg_word(r: bindings::reg) -> u32 {
    // SAFETY: every bit pattern is a valid u32.
    unsafe { r.word }
}

#[no_mangle]
pub unsafe extern "C" fn rust_dev_id(raw: *mut bindings::device, len: usize) -> u32 {
    let d = Device { raw, name: "", _p: PhantomData };
    d.id() + len as u32
}

#[no_mangle]
pub static mut rust_default_device: Option<&'static bindings::device> = None;
