using BenchmarkDotNet.Running;
using Ginx.Benchmarks;

// dotnet run -c Release --project bench/Ginx.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(PickDestinationBenchmarks).Assembly).Run(args);
