namespace Gen
{
    /// <summary>
    /// How an optimizer stores its state buffers (momenta, running averages). The arithmetic is float32
    /// either way: each element is widened on load and narrowed on store, in the same single pass.
    /// </summary>
    public enum StatePrecision
    {
        /// <summary>As the members' element type (float or double): today's behavior, bit for bit.</summary>
        Float32 = 0,

        /// <summary>
        /// bfloat16 (8 exponent bits, 8 significant bits): float32's range, 2 bytes per element. Stores round to
        /// nearest even (PyTorch's <c>c10::BFloat16</c>), or stochastically with <c>StochasticRounding</c>.
        /// Float members only.
        /// </summary>
        BFloat16 = 1,

        /// <summary>
        /// IEEE binary16 (5 exponent bits, 11 significant bits): finer than bfloat16 but only from about 6e-8
        /// (subnormal) to 65504, so a second moment of small gradients underflows to 0. Stores round to nearest
        /// even, or stochastically with <c>StochasticRounding</c>. Float members only.
        /// </summary>
        Float16 = 2,

        /// <summary>
        /// bitsandbytes' 8-bit block-wise state (Dettmers et al. 2022): per block of 256 elements one float absmax, and
        /// per element one byte, the index of the nearest entry of a 256-entry code to <c>x / absmax</c> (the signed
        /// "dynamic" code for buffers that change sign, such as a momentum, the unsigned one for non-negative buffers,
        /// such as a second moment). 1 byte per element plus 4 bytes per 256 elements. Each step dequantizes a block,
        /// runs the float32 update on it and quantizes it again. Members of fewer than 4,096 elements keep float32
        /// state, as bitsandbytes' <c>min_8bit_size</c>. Float members only; not with <c>StochasticRounding</c>.
        /// </summary>
        Int8Blockwise = 3,
    }
}
