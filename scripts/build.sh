#!/usr/bin/env bash
# Builds the solution and publishes the programs a user runs:
#   artifacts/daemon/mydockerd  (the daemon; published, so its static web assets are served in Production; ReadyToRun:
#                                start-up to first answer 1.3 s -> 0.75 s, which is what a restart after a crash costs)
#   artifacts/cli/mydocker      (the CLI, NativeAOT: a few ms per call instead of ~78 ms JIT-compiled)
#   artifacts/resolver/mydocker-resolver (the containers' DNS resolver, NativeAOT: a respawn answers within ms of exec)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build MyDocker.sln -c Release -nologo -v quiet -clp:NoSummary
dotnet publish src/Web -c Release -nologo -v quiet -o artifacts/daemon -r linux-x64 --self-contained false -p:PublishReadyToRun=true
dotnet publish src/Cli -c Release -nologo -v quiet -o artifacts/cli
dotnet publish src/Resolver -c Release -nologo -v quiet -o artifacts/resolver
