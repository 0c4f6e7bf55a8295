namespace MyDocker.UnitTests; internal static class Placeholder {}
