//! Bounds every reader enforces, so hostile input gets an error (E0105) instead of a crash.

/// What a reader accepts at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of input.
    pub max_input_bytes: usize,
    /// Bytes of one constant's data.
    pub max_literal_bytes: u128,
    /// Depth of nested regions (a function body is depth 0). The default, 24, is what every
    /// serial form can carry: protobuf decoding (prost) stops at 100 nested messages and JSON
    /// (serde_json) at 128 nested values, about 46 and 28 regions deep.
    pub max_region_depth: usize,
    /// Nodes in one region.
    pub max_nodes: usize,
    /// Rank of a tensor (and length of a shape).
    pub max_rank: usize,
    /// Elements of one attribute list (ints, floats, strings, slices).
    pub max_list_len: usize,
    /// Bytes of memory the protobuf and JSON readers may use per byte of input to hold its
    /// decoded form, above [`decode_allowance`](Limits::decode_allowance): checked on the input
    /// before it is decoded, so 20 MB of empty nodes (2 bytes each on the wire, 176 in memory)
    /// is refused instead of exhausting memory. Ordinary modules take 6 to 15 bytes per byte
    /// (a chain of a million `add`s: under 8).
    pub max_expansion: usize,
    /// Bytes of memory the protobuf and JSON readers may use for any input, however small.
    pub decode_allowance: u64,
    /// Functions in a module.
    pub max_functions: usize,
    /// Calls nested in calls: the longest chain of calls from any function, the function itself
    /// counted (a function that calls nothing has depth 1). Every engine runs what the validator
    /// accepts, so this is the one limit on call depth (`E0408`).
    pub max_call_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 1 << 30,
            max_literal_bytes: 1 << 28,
            max_region_depth: 24,
            max_nodes: 10_000_000,
            max_rank: 32,
            max_list_len: 1 << 20,
            max_expansion: 32,
            decode_allowance: 64 << 20,
            max_functions: 100_000,
            max_call_depth: 256,
        }
    }
}
