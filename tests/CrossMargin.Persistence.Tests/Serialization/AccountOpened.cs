namespace CrossMargin.Persistence.Tests.Serialization;

/// <summary>Version 2 added <see cref="Tier"/>; version 1 payloads read with the default.</summary>
public sealed record AccountOpened(string AccountId, string Owner, string Tier = "standard");
