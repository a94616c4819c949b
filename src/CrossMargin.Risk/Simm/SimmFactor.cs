namespace CrossMargin.Risk.Simm;

/// <summary>One underlying's term in a bucket of one risk class.</summary>
/// <param name="Underlying">The underlying.</param>
/// <param name="Sensitivity">Its net input (delta; HVR x sigma x vega; or curvature exposure CVR = sigma x SF-weighted vega, positive for long options).</param>
/// <param name="Concentration">Its concentration factor CR (1 below the threshold; 1 for curvature).</param>
/// <param name="Weighted">The weighted sensitivity entering the bucket (WS, VR or CVR), USD.</param>
public sealed record SimmFactor(string Underlying, double Sensitivity, double Concentration, double Weighted);
