namespace Gen
{
    /// <summary>How weight decay enters an update.</summary>
    public enum WeightDecayMode
    {
        /// <summary>Coupled L2 penalty: the gradient becomes <c>g + wd * p</c> before the update (PyTorch's RMSprop and Adam).</summary>
        L2 = 0,

        /// <summary>Decoupled decay: <c>p = p * (1 - lr * wd)</c> before the update (AdamW, Keras 3).</summary>
        Decoupled = 1,
    }
}
