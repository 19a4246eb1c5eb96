namespace Gen;

/// <summary>PyTorch's <c>clip_grad_norm_</c> factor, shared by <see cref="GradientsBase.ClipByGlobalNorm"/> and <see cref="Optimizer{TGradients}.GlobalNormClip"/>.</summary>
internal static class ClipNorm
{
    /// <summary>Added to the norm before dividing, as PyTorch 1.13 does.</summary>
    private const double Epsilon = 1e-6;

    /// <summary>
    /// <c>maxNorm / (total + 1e-6)</c> clamped to at most 1, where 1 means "leave the gradients as they are"
    /// (multiplying by it changes no bits). NaN stays NaN, as <c>torch.clamp(coefficient, max=1)</c> keeps it.
    /// </summary>
    public static double Coefficient(double maxNorm, double total)
    {
        double coefficient = maxNorm / (total + Epsilon);
        return coefficient >= 1 ? 1 : coefficient;
    }
}
