# Build nq57desk for Windows: onedir app, frozen self-test, zip, and (when Inno Setup 6 is installed) the installer.
#
#   powershell -ExecutionPolicy Bypass -File build_scripts\build_windows.ps1
#   $env:BUILD_PY = ".venv\Scripts\python.exe"; .\build_scripts\build_windows.ps1   # reuse an environment
#
# Optional code signing: set SIGN_PFX (path to a .pfx) and SIGN_PFX_PASSWORD; signtool.exe (Windows SDK) must be on
# PATH or in the usual SDK folder. The executables are signed before the installer is built, then the installer.
# Output in dist\: nq57desk\ (the app), nq57desk-VERSION-win64.zip, nq57desk-VERSION-setup.exe.
# This file is ASCII on purpose: Windows PowerShell 5.1 reads scripts without a BOM in the ANSI code page.
[CmdletBinding()]
param(
    [switch]$NoInstaller
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$start = Get-Date

# Run a program; stop on a non-zero exit code. A simple function (no param block) so that arguments such as -m or
# /Q reach the program untouched through $args.
function Invoke-Native {
    $exe, $rest = $args
    & $exe @rest
    if ($LASTEXITCODE -ne 0) { throw "$exe $($rest -join ' ') failed (exit code $LASTEXITCODE)" }
}

# -- Python environment ------------------------------------------------------------------------------------------
if ($env:BUILD_PY) {
    # a path (relative to the repository, e.g. .venv\Scripts\python.exe) or a command name (python)
    if (Test-Path $env:BUILD_PY) { $Py = (Resolve-Path $env:BUILD_PY).Path } else { $Py = $env:BUILD_PY }
} else {
    $Venv = Join-Path $Root "build\venv-build"
    $Py = Join-Path $Venv "Scripts\python.exe"
    if (-not (Test-Path $Py)) {
        Write-Host "== creating the build environment $Venv"
        if (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Native py -3.11 -m venv $Venv }
        else { Invoke-Native python -m venv $Venv }
    }
}
Invoke-Native $Py -c "import sys, struct; assert sys.version_info >= (3, 11) and struct.calcsize('P') == 8, 'need 64-bit Python 3.11+'"
Write-Host "== installing nq57desk[build]"
Invoke-Native $Py -m pip install -q --disable-pip-version-check -e ".[build]"
$Version = (& $Py build_scripts\version_info.py).Trim()
if ($LASTEXITCODE -ne 0) { throw "cannot read the version from pyproject.toml" }
Write-Host "== nq57desk $Version"

# -- PyInstaller -------------------------------------------------------------------------------------------------
Invoke-Native $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$Root\dist" `
    --workpath "$Root\build\pyinstaller" build_scripts\nq57desk.spec
$App = Join-Path $Root "dist\nq57desk"
$Cli = Join-Path $App "nq57desk-cli.exe"
$built = Get-Date

# -- frozen self-test, from an unrelated folder, without a display -----------------------------------------------
$scratch = Join-Path ([System.IO.Path]::GetTempPath()) ("nq57desk-build-" + [guid]::NewGuid())
New-Item -ItemType Directory $scratch | Out-Null
Push-Location $scratch
$oldQpa = $env:QT_QPA_PLATFORM
try {
    Invoke-Native $Cli --version
    $env:QT_QPA_PLATFORM = "offscreen"
    Invoke-Native $Cli selftest
} finally {
    $env:QT_QPA_PLATFORM = $oldQpa
    Pop-Location
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
}

# -- optional signing --------------------------------------------------------------------------------------------
function Find-SignTool {
    $cmd = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    $kits = "${env:ProgramFiles(x86)}\Windows Kits\10\bin"
    if (Test-Path $kits) {
        $found = Get-ChildItem $kits -Recurse -Filter signtool.exe -ErrorAction SilentlyContinue |
            Where-Object { $_.FullName -match '\\x64\\' } | Sort-Object FullName -Descending | Select-Object -First 1
        if ($found) { return $found.FullName }
    }
    return $null
}
$SignTool = $null
if ($env:SIGN_PFX) {
    $SignTool = Find-SignTool
    if (-not $SignTool) { throw "SIGN_PFX is set but signtool.exe was not found (install the Windows SDK)" }
}
function Sign-Files([string[]]$Files) {
    if (-not $SignTool) { return }
    Invoke-Native $SignTool sign /fd SHA256 /f $env:SIGN_PFX /p $env:SIGN_PFX_PASSWORD `
        /tr http://timestamp.digicert.com /td SHA256 @Files
}
Sign-Files @((Join-Path $App "nq57desk.exe"), $Cli)

# -- zip (for copying by hand) -----------------------------------------------------------------------------------
$Zip = Join-Path $Root "dist\nq57desk-$Version-win64.zip"
if (Test-Path $Zip) { Remove-Item $Zip }
Compress-Archive -Path $App -DestinationPath $Zip -CompressionLevel Optimal

# -- installer (Inno Setup 6.3+) ---------------------------------------------------------------------------------
$Setup = $null
if (-not $NoInstaller) {
    $Iscc = $env:ISCC
    if (-not $Iscc) {
        $candidates = @(
            (Get-Command iscc.exe -ErrorAction SilentlyContinue | ForEach-Object { $_.Source }),
            "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
            "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
            "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
        ) | Where-Object { $_ -and (Test-Path $_) }
        $Iscc = $candidates | Select-Object -First 1
    }
    if ($Iscc) {
        Write-Host "== Inno Setup: $Iscc"
        Invoke-Native $Iscc /Q "/DAppVersion=$Version" "/DSourceDir=$App" "/DOutputDir=$Root\dist" `
            build_scripts\nq57desk.iss
        $Setup = Join-Path $Root "dist\nq57desk-$Version-setup.exe"
        Sign-Files @($Setup)
    } else {
        Write-Warning "Inno Setup 6 (ISCC.exe) not found: no installer built. Install it from https://jrsoftware.org/isdl.php or set ISCC."
    }
}

# -- summary -----------------------------------------------------------------------------------------------------
$mb = [math]::Round(((Get-ChildItem $App -Recurse -File | Measure-Object Length -Sum).Sum) / 1MB, 1)
Write-Host "== size: dist\nq57desk $mb MB"
Write-Host ("== zip: {0} ({1} MB)" -f $Zip, [math]::Round((Get-Item $Zip).Length / 1MB, 1))
if ($Setup) { Write-Host ("== installer: {0} ({1} MB)" -f $Setup, [math]::Round((Get-Item $Setup).Length / 1MB, 1)) }
Write-Host ("build {0:n0} s, total {1:n0} s" -f ($built - $start).TotalSeconds, ((Get-Date) - $start).TotalSeconds)
