namespace CrossMargin.Engine.Accounts;

/// <summary>A request to an account, decided by <see cref="AccountDecider"/> into events or a rejection.</summary>
public interface IAccountCommand : IAccountMessage;
