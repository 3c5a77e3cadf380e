//! SymPy's matrix layer: `MatrixSymbol`, `MatMul`, `MatAdd`, `Transpose`, and `MatrixElement`
//! to read one element of a matrix expression.

use air_ir::builder::result_type;
use air_ir::{BinaryOp, Op, Value};

use super::analyze::head;
use super::lower::{Lowerer, R};
use super::term::Term;
use crate::error::ProblemKind;
use crate::syntax::NodeId;
use crate::vocab::Head;

impl Lowerer<'_> {
    /// The name of a `MatrixSymbol` node.
    pub(crate) fn matrix_name(&self, m: NodeId) -> String {
        let label = self.dag.node(m).args[0];
        match self.dag.str_of(label) {
            Some(s) => s.to_string(),
            None => self
                .dag
                .node(label)
                .args
                .first()
                .and_then(|a| self.dag.str_of(*a))
                .map(str::to_string)
                .or_else(|| super::analyze::symbol_name(self.dag, label))
                .unwrap_or_default(),
        }
    }

    /// A matrix expression as a rank-2 value.
    pub(crate) fn lower_matrix(&mut self, e: NodeId) -> R<Value> {
        let args = self.dag.node(e).args.clone();
        match head(self.dag, e) {
            Some(Head::MatrixSymbol) => {
                let name = self.matrix_name(e);
                let Some(&v) = self.vars.get(&name) else {
                    return Err(self.fail(
                        ProblemKind::Invalid,
                        format!("`{name}` is read before it is assigned"),
                        e,
                    ));
                };
                let shape = self.fb.value_type(v).map(|t| t.shape).unwrap_or_default();
                for (k, have) in shape.iter().enumerate() {
                    let want = self.dim(args[k + 1])?;
                    self.unify(have, &want, &format!("the shape of `{name}`"), e)?;
                }
                Ok(v)
            }
            Some(Head::Transpose) => {
                let m = self.lower_matrix(args[0])?;
                self.op(Op::Transpose { perm: vec![1, 0] }, &[m], e)
            }
            Some(Head::MatAdd) => {
                let mut acc: Option<Value> = None;
                for a in args {
                    let m = self.lower_matrix(a)?;
                    acc = Some(match acc {
                        None => m,
                        Some(x) => self.matrix_binary(BinaryOp::Add, x, m, e)?,
                    });
                }
                acc.ok_or_else(|| self.fail(ProblemKind::Invalid, "empty MatAdd".into(), e))
            }
            Some(Head::MatMul) => self.matmul(e, &args),
            _ => Err(self.fail(
                ProblemKind::Unsupported,
                "expected a matrix expression (MatrixSymbol, MatMul, MatAdd, Transpose)".into(),
                e,
            )),
        }
    }

    fn is_matrix(&self, e: NodeId) -> bool {
        matches!(
            head(self.dag, e),
            Some(Head::MatrixSymbol | Head::MatMul | Head::MatAdd | Head::Transpose)
        )
    }

    /// `MatMul(scalars..., matrices...)`: the matrices multiplied left to right, times the
    /// scalars.
    fn matmul(&mut self, e: NodeId, args: &[NodeId]) -> R<Value> {
        let mut acc: Option<Value> = None;
        let mut scale: Vec<Term> = vec![];
        for &a in args {
            if !self.is_matrix(a) {
                let s = self.lower(a)?;
                if !s.labels.is_empty() {
                    return Err(self.fail(
                        ProblemKind::Unsupported,
                        "a MatMul factor must be a matrix or a scalar".into(),
                        a,
                    ));
                }
                scale.push(s);
                continue;
            }
            let m = self.lower_matrix(a)?;
            acc = Some(match acc {
                None => m,
                Some(x) => self.matrix_product(x, m, a)?,
            });
        }
        let Some(mut m) = acc else {
            return Err(self.fail(ProblemKind::Invalid, "a MatMul of no matrix".into(), e));
        };
        for s in scale {
            let t = self.binary(BinaryOp::Mul, &s, &Term::arr(m, None, vec![]), e)?;
            m = self.materialize(&t, self.dtype_of(&t), e)?;
        }
        Ok(m)
    }

    fn common(&mut self, a: Value, b: Value, e: NodeId) -> R<(Value, Value)> {
        let da = self.fb.value_type(a).map(|t| t.dtype);
        let db = self.fb.value_type(b).map(|t| t.dtype);
        let (Some(da), Some(db)) = (da, db) else {
            return Err(self.fail(ProblemKind::Invalid, "bad matrix value".into(), e));
        };
        let d = result_type(&[da, db]);
        let a = self.fb.body().cast_to(a, d).map_err(|x| self.diag(x, e))?;
        let b = self.fb.body().cast_to(b, d).map_err(|x| self.diag(x, e))?;
        Ok((a, b))
    }

    fn matrix_product(&mut self, a: Value, b: Value, e: NodeId) -> R<Value> {
        let sa = self.fb.value_type(a).map(|t| t.shape).unwrap_or_default();
        let sb = self.fb.value_type(b).map(|t| t.shape).unwrap_or_default();
        if let (Some(k1), Some(k2)) = (sa.get(1), sb.first()) {
            self.unify(k1, k2, "the inner dims of a MatMul", e)?;
        }
        let (a, b) = self.common(a, b, e)?;
        self.op(Op::Matmul, &[a, b], e)
    }

    fn matrix_binary(&mut self, op: BinaryOp, a: Value, b: Value, e: NodeId) -> R<Value> {
        let sa = self.fb.value_type(a).map(|t| t.shape).unwrap_or_default();
        let sb = self.fb.value_type(b).map(|t| t.shape).unwrap_or_default();
        for (x, y) in sa.iter().zip(&sb) {
            self.unify(x, y, "the shapes of a MatAdd", e)?;
        }
        let (a, b) = self.common(a, b, e)?;
        self.fb.numpy_binary(op, a, b).map_err(|d| self.diag(d, e))
    }

    /// `MatrixElement(m, i, j)`: one element of a matrix expression, indexed like `Indexed`.
    pub(crate) fn matrix_element(&mut self, e: NodeId) -> R<Term> {
        let args = self.dag.node(e).args.clone();
        let m = self.lower_matrix(args[0])?;
        self.index_into(m, "the matrix", &args[1..], e)
    }
}
