namespace Gen
{
    /// <summary>Where an adaptive optimizer adds epsilon to its denominator.</summary>
    public enum EpsilonPlacement
    {
        /// <summary><c>g / (sqrt(v) + eps)</c>: PyTorch and TorchSharp.</summary>
        OutsideSqrt = 0,

        /// <summary><c>g / sqrt(v + eps)</c>: Keras, TensorFlow 1 and Optax's default.</summary>
        InsideSqrt = 1,
    }
}
