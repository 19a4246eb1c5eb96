#!/usr/bin/env bash
# Assembles Gen's Unity package (UPM) from the built assemblies:
#   <out>/<name>/                 the package folder (Packages/ or "Add package from disk...")
#   <out>/<name>-<version>.tgz    the same files under package/ ("Add package from tarball...")
#
#   bash unity/pack.sh [--configuration Release] [--out artifacts/unity] [--no-build]
#
# Layout (unity/README.md says why): Runtime/ holds Gen.Runtime.dll and Gen.Attributes.dll, both built for
# netstandard2.1 (Unity's API level), with their XML docs, imported for every platform; Gen.Generator.dll, labelled
# RoslynAnalyzer and enabled for no platform (Unity then runs it in the compiler and never loads it into the
# editor or a player); and Gen.Unity.asmdef, whose folder scopes the generator to the assemblies that
# reference it (Assembly-CSharp does automatically). Every file and folder has a .meta whose GUID is derived
# from its path in the package, so packing again gives the same GUIDs, and the tarball is reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=Release
out=artifacts/unity
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration|-c) configuration="$2"; shift 2 ;;
    --out|-o) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# "internal" is the top-level domain ICANN reserved for private use (2024): it will never be delegated, so
# this reverse-domain name claims no one's domain. Rename it when the project has a domain of its own (the
# GUIDs do not depend on it).
name=internal.gen.optimizers
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)"
[ -n "$version" ] || { echo "no <Version> in Directory.Build.props" >&2; exit 1; }

runtime_dir="src/Runtime/bin/$configuration/netstandard2.1"
attributes_dir="src/Attributes/bin/$configuration/netstandard2.1"
generator_dir="src/Generator/bin/$configuration/netstandard2.0"
if [ "$build" = 1 ]; then
  dotnet build src/Runtime/Gen.Runtime.csproj -c "$configuration" -f netstandard2.1 -nologo -v quiet
  dotnet build src/Attributes/Gen.Attributes.csproj -c "$configuration" -f netstandard2.1 -nologo -v quiet
  dotnet build src/Generator/Gen.Generator.csproj -c "$configuration" -nologo -v quiet
fi

package="$out/$name"
rm -rf "$package" "$out/$name-$version.tgz"
mkdir -p "$package/Runtime"

# A Unity GUID is 32 hex digits: the MD5 of a fixed prefix and the path inside the package.
guid() { printf 'gen-unity-package:%s' "$1" | md5sum | cut -c1-32; }

# meta <path inside the package> <importer block>: writes <path>.meta.
meta() {
  local labels=""
  if [ "${3:-}" != "" ]; then labels="labels:
- $3
"; fi
  printf 'fileFormatVersion: 2\nguid: %s\n%s%s' "$(guid "$1")" "$labels" "$2" > "$package/$1.meta"
}

footer='  userData: 
  assetBundleName: 
  assetBundleVariant: 
'
folder_importer="folderAsset: yes
DefaultImporter:
  externalObjects: {}
$footer"
text_importer="TextScriptImporter:
  externalObjects: {}
$footer"
# What every plugin importer begins with; its platformData list follows.
plugin_importer="PluginImporter:
  externalObjects: {}
  serializedVersion: 2
  iconMap: {}
  executionOrder: {}
  defineConstraints: []
  isPreloaded: 0
  isOverridable: 0
  isExplicitlyReferenced: 0
  validateReferences: 1
  platformData:"
# A runtime assembly: every platform, the editor included; referenced automatically by every assembly.
runtime_plugin="$plugin_importer
  - first:
      Any: 
    second:
      enabled: 1
      settings: {}
  - first:
      Editor: Editor
    second:
      enabled: 0
      settings:
        DefaultValueInitialized: true
$footer"
# The generator: the RoslynAnalyzer label (given by meta's third argument) and no platform at all, the
# editor included, as Unity's "Create and use a source generator" page prescribes.
analyzer_plugin="$plugin_importer
  - first:
      : Any
    second:
      enabled: 0
      settings:
        Exclude Editor: 1
        Exclude Linux64: 1
        Exclude OSXUniversal: 1
        Exclude Win: 1
        Exclude Win64: 1
  - first:
      Any: 
    second:
      enabled: 0
      settings: {}
  - first:
      Editor: Editor
    second:
      enabled: 0
      settings:
        CPU: AnyCPU
        DefaultValueInitialized: true
        OS: AnyOS
  - first:
      Standalone: Linux64
    second:
      enabled: 0
      settings:
        CPU: None
  - first:
      Standalone: OSXUniversal
    second:
      enabled: 0
      settings:
        CPU: None
  - first:
      Standalone: Win
    second:
      enabled: 0
      settings:
        CPU: None
  - first:
      Standalone: Win64
    second:
      enabled: 0
      settings:
        CPU: None
$footer"
script_importer="MonoImporter:
  externalObjects: {}
  serializedVersion: 2
  defaultReferences: []
  executionOrder: 0
  icon: {instanceID: 0}
$footer"

cat > "$package/package.json" <<EOF
{
  "name": "$name",
  "version": "$version",
  "displayName": "Gen Optimizers",
  "description": "Generated, allocation-free optimizers (RMSProp, SGD, Adagrad, Adam, AdamW, Adadelta, Lion, NAdam, RAdam, Adamax, Rprop, ASGD, Schedule-Free AdamW and SGD, AdEMAMix, ADOPT, Muon, LAMB, LARS, Adafactor) with PyTorch's semantics for your model class: mark a partial class of float[] parameters with an attribute and a source generator writes its optimizer. Includes the runtime: gradient tools, learning-rate schedules and checkpoints.",
  "unity": "6000.0",
  "license": "MIT",
  "author": {
    "name": "Gen contributors"
  },
  "keywords": [
    "optimizer",
    "machine-learning",
    "rmsprop",
    "adam",
    "source-generator"
  ]
}
EOF
meta package.json "PackageManifestImporter:
  externalObjects: {}
$footer"

cp unity/README.md "$package/README.md"
meta README.md "$text_importer"
cp LICENSE "$package/LICENSE.md"
meta LICENSE.md "$text_importer"

meta Runtime "$folder_importer"
cp unity/Gen.Unity.asmdef "$package/Runtime/Gen.Unity.asmdef"
meta Runtime/Gen.Unity.asmdef "AssemblyDefinitionImporter:
  externalObjects: {}
$footer"
cp unity/AnalyzerScope.cs "$package/Runtime/AnalyzerScope.cs"
meta Runtime/AnalyzerScope.cs "$script_importer"

for file in "$runtime_dir/Gen.Runtime.dll" "$runtime_dir/Gen.Runtime.xml" "$attributes_dir/Gen.Attributes.dll" "$attributes_dir/Gen.Attributes.xml"; do
  [ -f "$file" ] || { echo "missing $file: build it first (or drop --no-build)" >&2; exit 1; }
  cp "$file" "$package/Runtime/"
  case "$file" in
    *.dll) meta "Runtime/$(basename "$file")" "$runtime_plugin" ;;
    *) meta "Runtime/$(basename "$file")" "$text_importer" ;;
  esac
done
[ -f "$generator_dir/Gen.Generator.dll" ] || { echo "missing $generator_dir/Gen.Generator.dll" >&2; exit 1; }
cp "$generator_dir/Gen.Generator.dll" "$package/Runtime/"
meta Runtime/Gen.Generator.dll "$analyzer_plugin" RoslynAnalyzer

# The tarball: package/ at the top, as npm and Unity's own packages have it; sorted entries, fixed times and
# owners, and gzip without a name or time stamp, so the same inputs give the same bytes.
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$package" "$staging/package"
tar --sort=name --mtime='2000-01-01 00:00:00 UTC' --owner=0 --group=0 --numeric-owner --format=ustar \
  -C "$staging" -cf - package | gzip -n -9 > "$out/$name-$version.tgz"

echo "$package"
echo "$out/$name-$version.tgz"
