namespace Gen
{
    /// <summary>How an optimizer's float kernels compute square roots and divisions.</summary>
    public enum Precision
    {
        /// <summary>Correctly rounded square root and division, operation for operation as PyTorch.</summary>
        Exact = 0,

        /// <summary>
        /// No division: the hardware reciprocal estimate of the denominator (with the epsilon inside the
        /// square root, the reciprocal square-root estimate), refined by one Newton step. Less work for
        /// the divide/square-root unit that bounds the exact kernel in cache, at a small, documented
        /// relative error in the update (see docs/PRECISION.md). Applies to float members; double
        /// members stay exact.
        /// </summary>
        Fast = 1,
    }
}
