using Ginx.SampleBackend;

SampleBackendApplication.Build(WebApplication.CreateBuilder(args)).Run();
