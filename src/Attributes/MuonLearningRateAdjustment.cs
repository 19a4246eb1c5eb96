namespace Gen
{
    /// <summary>
    /// How <see cref="MuonAttribute"/> scales the learning rate of a matrix member by its shape (PyTorch 2.9's
    /// <c>adjust_lr_fn</c>), so that orthogonalized updates of differently shaped matrices have comparable sizes.
    /// </summary>
    public enum MuonLearningRateAdjustment
    {
        /// <summary>
        /// <c>lr · √max(1, rows / columns)</c>: Keller Jordan's original Muon (PyTorch's <c>"original"</c>, and its default,
        /// <c>adjust_lr_fn=None</c>).
        /// </summary>
        Original = 0,

        /// <summary>
        /// <c>lr · 0.2 · √max(rows, columns)</c>: Moonshot AI's scaling (Liu et al. 2025, "Muon is Scalable for LLM
        /// Training"; PyTorch's <c>"match_rms_adamw"</c>), which gives updates AdamW's typical RMS, so that AdamW's learning
        /// rate and weight decay carry over.
        /// </summary>
        MatchRmsAdamW = 1,
    }
}
