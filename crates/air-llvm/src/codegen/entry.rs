//! The function boundary: reading and checking the parameter descriptors on entry
//! (`docs/spec.md` 4.1-4.2: dtype and rank E0501, symbols bound from lone dims, conflicts and
//! expression dims E0502, constant dims E0506), and writing results (into the caller's buffers,
//! or into buffers allocated with `air_rt_alloc`).

use air_ir::{Code, DType, Intent, TensorType};
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;

use super::{Buf, FnGen, Val, R};

/// One parameter's descriptor as read on entry.
struct RawParam<'ctx> {
    desc: PointerValue<'ctx>,
    data: PointerValue<'ctx>,
    /// True when the caller gave no buffer (only allowed for `out` parameters).
    missing: IntValue<'ctx>,
    shape: Vec<IntValue<'ctx>>,
    strides: Vec<IntValue<'ctx>>,
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// A field of descriptor `desc`: 0 data, 1 shape, 2 strides, 3 rank, 4 dtype.
    fn field(&self, desc: PointerValue<'ctx>, k: u32) -> R<PointerValue<'ctx>> {
        Ok(self.b.build_struct_gep(self.g.tensor_ty, desc, k, "")?)
    }

    /// Descriptor `j` of the array at `base`.
    fn descriptor(&self, base: PointerValue<'ctx>, j: usize) -> R<PointerValue<'ctx>> {
        // SAFETY (of the generated code): the caller passes one descriptor per parameter/result.
        #[allow(unsafe_code)]
        let p = unsafe {
            self.b
                .build_in_bounds_gep(self.g.tensor_ty, base, &[self.i64c(j as i64)], "")?
        };
        Ok(p)
    }

    /// Element `k` of an `int64_t` array.
    fn i64_slot(&self, array: PointerValue<'ctx>, k: usize) -> R<PointerValue<'ctx>> {
        self.elem_ptr(DType::I64, array, self.i64c(k as i64))
    }

    /// Reads descriptor `desc`, checking dtype, rank, extents and strides (E0501) through the
    /// module's `air.check_desc`.
    fn read_descriptor(
        &mut self,
        desc: PointerValue<'ctx>,
        what: &str,
        ty: &TensorType,
    ) -> R<(PointerValue<'ctx>, Vec<IntValue<'ctx>>, Vec<IntValue<'ctx>>)> {
        let i32t = self.g.c.i32_type();
        let size = ty.dtype.size_bytes();
        let name = self.g.shown_name(&self.air_fn.name);
        let texts = [
            format!("{what}: expected {ty}, got dtype code {{a}} and rank {{b}} in @{name}"),
            format!("{what}: extent {{a}} on axis {{b}} in @{name}"),
            format!(
                "{what}: stride {{a}} on axis {{b}} is not a multiple of the element size {size} in @{name}"
            ),
        ];
        let mut args: Vec<inkwell::values::BasicMetadataValueEnum<'ctx>> = vec![
            desc.into(),
            i32t.const_int(air_rt::abi::dtype_code(ty.dtype) as u64, true)
                .into(),
            i32t.const_int(ty.rank() as u64, false).into(),
            self.i64c(size as i64).into(),
        ];
        for t in &texts {
            args.push(self.g.string(&self.b, t)?.into());
        }
        args.push(self.err.into());
        let check = self.g.check_desc_function()?;
        let code = self.call(check, &args)?;
        self.propagate(code.into_int_value())?;
        let p = self.ptr_ty();
        let data = self
            .b
            .build_load(p, self.field(desc, 0)?, "")?
            .into_pointer_value();
        let shape_p = self
            .b
            .build_load(p, self.field(desc, 1)?, "")?
            .into_pointer_value();
        let strides_p = self
            .b
            .build_load(p, self.field(desc, 2)?, "")?
            .into_pointer_value();
        let size = self.i64c(size as i64);
        let i64t = self.g.c.i64_type();
        let (mut shape, mut strides) = (Vec::new(), Vec::new());
        for k in 0..ty.rank() {
            let e = self.b.build_load(i64t, self.i64_slot(shape_p, k)?, "")?;
            let s = self.b.build_load(i64t, self.i64_slot(strides_p, k)?, "")?;
            shape.push(e.into_int_value());
            strides.push(
                self.b
                    .build_int_exact_signed_div(s.into_int_value(), size, "")?,
            );
        }
        Ok((data, shape, strides))
    }

    /// Reads and checks every parameter, binds the dimension symbols, and allocates `out`
    /// parameters the caller left without a buffer. Returns one value per parameter.
    pub fn bind_params(&mut self) -> R<Vec<Val<'ctx>>> {
        let f = self.air_fn;
        let base = self.arg(0);
        let mut raws = Vec::with_capacity(f.params.len());
        for (j, p) in f.params.iter().enumerate() {
            let desc = self.descriptor(base, j)?;
            let what = format!("parameter %{}", p.name);
            let (data, shape, strides) = self.read_descriptor(desc, &what, &p.ty)?;
            let missing = self.b.build_is_null(data, "")?;
            if p.intent != Intent::Out {
                let zero = self.i64c(0);
                self.fail_if(
                    missing,
                    Code::BadInput,
                    &format!("{what} has no data"),
                    zero,
                    zero,
                )?;
            }
            raws.push(RawParam {
                desc,
                data,
                missing,
                shape,
                strides,
            });
        }
        // Size parameters bind their symbols to their values first (op set 2, spec §1.5).
        for (p, raw) in f.params.iter().zip(&raws) {
            let Some(sym) = &p.size else { continue };
            let v = self.load_elem(p.ty.dtype, raw.data)?.into_int_value();
            let i64t = self.g.c.i64_type();
            let v = if p.ty.dtype.is_signed_int() {
                self.b.build_int_s_extend_or_bit_cast(v, i64t, "")?
            } else {
                self.b.build_int_z_extend_or_bit_cast(v, i64t, "")?
            };
            let neg = self
                .b
                .build_int_compare(IntPredicate::SLT, v, self.i64c(0), "")?;
            let msg = format!(
                "size parameter %{} is {{a}}: the extent {sym} must be at least 0",
                p.name
            );
            self.fail_if(neg, Code::BadExtent, &msg, v, v)?;
            self.syms.insert(sym.clone(), v);
        }
        // Lone symbols bind from the inputs, then from the out buffers the caller gave.
        for pass_out in [false, true] {
            for (p, raw) in f.params.iter().zip(&raws) {
                if (p.intent == Intent::Out) == pass_out {
                    self.bind_lone(&p.name, &p.ty, raw, pass_out)?;
                }
            }
        }
        for (p, raw) in f.params.iter().zip(&raws) {
            self.check_dims(&p.name, &p.ty, raw, p.intent == Intent::Out)?;
        }
        let mut vals = Vec::with_capacity(raws.len());
        for (p, raw) in f.params.iter().zip(raws) {
            vals.push(match p.intent {
                Intent::In if p.ty.rank() == 0 => Val::Reg(self.load_elem(p.ty.dtype, raw.data)?),
                Intent::In | Intent::InOut => Val::Buf(Buf {
                    data: raw.data,
                    shape: raw.shape,
                    strides: raw.strides,
                    contig: false,
                    fresh: false,
                }),
                Intent::Out => Val::Buf(self.out_param(&p.ty, &raw)?),
            });
        }
        Ok(vals)
    }

    fn bind_lone(&mut self, name: &str, ty: &TensorType, raw: &RawParam<'ctx>, out: bool) -> R<()> {
        for (k, d) in ty.shape.iter().enumerate() {
            let Some(sym) = d.as_symbol() else { continue };
            let e = raw.shape[k];
            match self.syms.get(sym).copied() {
                None => {
                    if out {
                        let msg = format!(
                            "out parameter %{name}: {ty} mentions symbols no input binds; pass its buffer"
                        );
                        let zero = self.i64c(0);
                        self.fail_if(raw.missing, Code::BadInput, &msg, zero, zero)?;
                    }
                    self.syms.insert(sym.to_string(), e);
                }
                Some(old) => {
                    let mut bad = self.b.build_int_compare(IntPredicate::NE, old, e, "")?;
                    if out {
                        let given = self.b.build_not(raw.missing, "")?;
                        bad = self.b.build_and(bad, given, "")?;
                    }
                    let msg = format!("symbol {sym} is {{a}} but %{name} makes it {{b}}");
                    self.fail_if(bad, Code::SymbolConflict, &msg, old, e)?;
                }
            }
        }
        Ok(())
    }

    /// Checks every dim that is not a lone symbol (constants E0506, expressions E0502).
    fn check_dims(
        &mut self,
        name: &str,
        ty: &TensorType,
        raw: &RawParam<'ctx>,
        out: bool,
    ) -> R<()> {
        for (k, d) in ty.shape.iter().enumerate() {
            if d.as_symbol().is_some() {
                continue;
            }
            let e = raw.shape[k];
            let unbound: Vec<String> = d
                .symbols()
                .into_iter()
                .filter(|s| !self.syms.contains_key(*s))
                .map(str::to_string)
                .collect();
            if !unbound.is_empty() {
                // AIR does not solve for symbols: such a function can never run.
                let msg = format!(
                    "%{name}: dim {d} (axis {k}) mentions a symbol no parameter binds as a lone dim"
                );
                self.fail_if(self.boolc(true), Code::SymbolConflict, &msg, e, e)?;
                for s in unbound {
                    self.syms.insert(s, self.i64c(0));
                }
                continue;
            }
            let want = self.dim_unchecked(d)?;
            let mut bad = self.b.build_int_compare(IntPredicate::NE, want, e, "")?;
            if out {
                let given = self.b.build_not(raw.missing, "")?;
                bad = self.b.build_and(bad, given, "")?;
            }
            let code = if d.is_const() {
                Code::BadExtent
            } else {
                Code::SymbolConflict
            };
            let msg = format!("%{name}: axis {k} is {d} = {{a}}, got extent {{b}}");
            self.fail_if(bad, code, &msg, want, e)?;
        }
        Ok(())
    }

    /// The buffer of an `out` parameter: the caller's, or one allocated here and stored into the
    /// descriptor (the caller frees it with `air_free`).
    fn out_param(&mut self, ty: &TensorType, raw: &RawParam<'ctx>) -> R<Buf<'ctx>> {
        let shape = self.shape(&ty.shape)?;
        let data_slot = self.alloca(self.ptr_ty().into(), 1)?;
        let strides_slot = self.alloca(self.g.c.i64_type().into(), ty.rank().max(1) as u32)?;
        self.b.build_store(data_slot, raw.data)?;
        for (k, s) in raw.strides.iter().enumerate() {
            self.b.build_store(self.i64_slot(strides_slot, k)?, *s)?;
        }
        let (alloc_bb, join) = (
            self.g.c.append_basic_block(self.func, "alloc_out"),
            self.g.c.append_basic_block(self.func, "join"),
        );
        self.b
            .build_conditional_branch(raw.missing, alloc_bb, join)?;
        self.b.position_at_end(alloc_bb);
        let p = self.hand_out(raw.desc, ty.dtype, &shape)?;
        self.b.build_store(data_slot, p)?;
        for (k, s) in self.c_strides(&shape)?.iter().enumerate() {
            self.b.build_store(self.i64_slot(strides_slot, k)?, *s)?;
        }
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let data = self
            .b
            .build_load(self.ptr_ty(), data_slot, "")?
            .into_pointer_value();
        let mut strides = Vec::new();
        for k in 0..ty.rank() {
            let s = self
                .b
                .build_load(self.g.c.i64_type(), self.i64_slot(strides_slot, k)?, "")?;
            strides.push(s.into_int_value());
        }
        Ok(Buf {
            data,
            shape,
            strides,
            contig: false,
            fresh: false,
        })
    }

    /// Allocates a C-contiguous buffer for the caller and writes data, shape and byte strides
    /// into descriptor `desc`.
    fn hand_out(
        &mut self,
        desc: PointerValue<'ctx>,
        d: DType,
        shape: &[IntValue<'ctx>],
    ) -> R<PointerValue<'ctx>> {
        let count = self.count_checked(shape)?;
        let p = self.raw_alloc(count, d.size_bytes())?;
        let field = self.field(desc, 0)?;
        self.hand_out_buffer(p, field)?;
        self.b.build_store(field, p)?;
        let ptr = self.ptr_ty();
        let shape_p = self
            .b
            .build_load(ptr, self.field(desc, 1)?, "")?
            .into_pointer_value();
        let strides_p = self
            .b
            .build_load(ptr, self.field(desc, 2)?, "")?
            .into_pointer_value();
        let size = self.i64c(d.size_bytes() as i64);
        for (k, s) in self.c_strides(shape)?.iter().enumerate() {
            self.b.build_store(self.i64_slot(shape_p, k)?, shape[k])?;
            let bytes = self.b.build_int_mul(*s, size, "")?;
            self.b.build_store(self.i64_slot(strides_p, k)?, bytes)?;
        }
        Ok(p)
    }

    /// The buffer result `k` is written to: the caller's (its extents must be `shape`, E0506),
    /// or a new one handed to the caller.
    pub fn result_dest(&mut self, k: usize, shape: &[IntValue<'ctx>]) -> R<Buf<'ctx>> {
        let f = self.air_fn;
        let r = &f.results[k];
        let name = r.name.clone().unwrap_or_else(|| format!("result{k}"));
        let what = format!("result %{name}");
        let desc = self.descriptor(self.arg(1), k)?;
        let (data, given_shape, given_strides) = self.read_descriptor(desc, &what, &r.ty)?;
        let data_slot = self.alloca(self.ptr_ty().into(), 1)?;
        let strides_slot = self.alloca(self.g.c.i64_type().into(), r.ty.rank().max(1) as u32)?;
        let missing = self.b.build_is_null(data, "")?;
        let (alloc_bb, given_bb, join) = (
            self.g.c.append_basic_block(self.func, "alloc_result"),
            self.g.c.append_basic_block(self.func, "given_result"),
            self.g.c.append_basic_block(self.func, "join"),
        );
        self.b
            .build_conditional_branch(missing, alloc_bb, given_bb)?;
        self.b.position_at_end(given_bb);
        for (a, (&want, &got)) in shape.iter().zip(&given_shape).enumerate() {
            let bad = self.b.build_int_compare(IntPredicate::NE, want, got, "")?;
            let msg = format!(
                "{what}: the caller's buffer has extent {{b}} on axis {a}, the result {{a}}"
            );
            self.fail_if(bad, Code::BadExtent, &msg, want, got)?;
        }
        self.b.build_store(data_slot, data)?;
        for (a, s) in given_strides.iter().enumerate() {
            self.b.build_store(self.i64_slot(strides_slot, a)?, *s)?;
        }
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(alloc_bb);
        let p = self.hand_out(desc, r.ty.dtype, shape)?;
        self.b.build_store(data_slot, p)?;
        for (a, s) in self.c_strides(shape)?.iter().enumerate() {
            self.b.build_store(self.i64_slot(strides_slot, a)?, *s)?;
        }
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let data = self
            .b
            .build_load(self.ptr_ty(), data_slot, "")?
            .into_pointer_value();
        let mut strides = Vec::new();
        for a in 0..r.ty.rank() {
            let s = self
                .b
                .build_load(self.g.c.i64_type(), self.i64_slot(strides_slot, a)?, "")?;
            strides.push(s.into_int_value());
        }
        Ok(Buf {
            data,
            shape: shape.to_vec(),
            strides,
            contig: false,
            fresh: false,
        })
    }

    /// Writes the body's yields: declared results (except those a group already wrote), then
    /// the values of `out`/`inout` parameters into their buffers.
    pub fn write_yields(
        &mut self,
        yields: &[Val<'ctx>],
        params: &[Val<'ctx>],
        written: &[usize],
    ) -> R<()> {
        let f = self.air_fn;
        let n = f.results.len();
        for (k, v) in yields.iter().enumerate().take(n) {
            if written.contains(&k) {
                continue;
            }
            let shape = match v {
                Val::Buf(b) => b.shape.clone(),
                Val::Reg(_) => vec![],
            };
            let dest = self.result_dest(k, &shape)?;
            self.copy_into(f.results[k].ty.dtype, v, &dest)?;
        }
        let dests = f
            .params
            .iter()
            .zip(params)
            .filter(|(p, _)| p.intent != Intent::In);
        for ((p, dest), v) in dests.zip(&yields[n.min(yields.len())..]) {
            let Val::Buf(dest) = dest else { continue };
            let d = p.ty.dtype;
            let v = match v {
                // An inout value may be a view of its own buffer: copy it out first.
                Val::Buf(b) if p.intent == Intent::InOut && !b.fresh => {
                    Val::Buf(self.materialise(d, v)?)
                }
                Val::Buf(_) | Val::Reg(_) => v.clone(),
            };
            self.copy_into(d, &v, dest)?;
        }
        Ok(())
    }
}
