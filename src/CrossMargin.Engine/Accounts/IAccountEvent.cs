namespace CrossMargin.Engine.Accounts;

/// <summary>A fact about an account, persisted in its journal and applied by <see cref="AccountState.Apply"/>.</summary>
public interface IAccountEvent : IAccountMessage;
