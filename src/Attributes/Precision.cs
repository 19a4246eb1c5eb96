namespace Gen
{
    /// <summary>How an optimizer's float kernels compute square roots and divisions.</summary>
    public enum Precision
    {
        /// <summary>Correctly rounded square root and division, operation for operation as PyTorch.</summary>
        Exact = 0,

        /// <summary>
        /// Hardware reciprocal and reciprocal-square-root estimates, each refined by one Newton step:
        /// faster than the divider allows, at a small, documented relative error in the update
        /// (see docs/PRECISION.md). Applies to float members; double members stay exact.
        /// </summary>
        Fast = 1,
    }
}
