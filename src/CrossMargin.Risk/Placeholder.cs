namespace CrossMargin.Risk;
/// <summary>x</summary>
public static class Placeholder { }
