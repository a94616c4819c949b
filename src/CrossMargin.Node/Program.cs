using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;

var started = false;
try
{
    var configDirectory = ConfigurationDirectory.Resolve(args);
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
    builder.AddCrossMarginConfiguration(configDirectory, args)
        .AddCrossMarginLogging()
        .AddCrossMarginEngine();

    var app = builder.Build();
    app.MapCrossMarginApi();
    app.Lifetime.ApplicationStarted.Register(() => started = true);
    await app.RunAsync();
    return 0;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync((started ? "crossmargin-node stopped on an error:" : "crossmargin-node could not start:")
        + Environment.NewLine + StartFailure.Describe(e));
    return StartFailure.ExitCode;
}
