using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;

var configDirectory = ConfigurationDirectory.Resolve(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
builder.AddCrossMarginConfiguration(configDirectory, args)
    .AddCrossMarginLogging()
    .AddCrossMarginEngine();

var app = builder.Build();
app.MapCrossMarginApi();
await app.RunAsync();
