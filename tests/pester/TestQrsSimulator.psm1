# Starts and stops the QRS simulator (tests/QlikActivity.QrsSimulator) as a separate process, for the
# Pester tests and build.ps1 -Task Demo. Windows PowerShell 5.1 syntax.

function Start-TestQrsSimulator {
    [CmdletBinding()]
    param(
        # The repository root (holds QlikActivity.sln).
        [Parameter(Mandatory = $true)]
        [string] $RepositoryRoot,

        [ValidateSet('Release', 'Debug')]
        [string] $Configuration = 'Release',

        [ValidateRange(1, 1000000)]
        [int] $Users = 200,

        # Seconds to wait for the simulator's "listening on" line.
        [ValidateRange(1, 600)]
        [int] $TimeoutSec = 120
    )

    $dll = [System.IO.Path]::Combine($RepositoryRoot, 'tests', 'QlikActivity.QrsSimulator', 'bin', $Configuration, 'net10.0', 'QlikActivity.QrsSimulator.dll')
    if (-not (Test-Path -LiteralPath $dll)) {
        throw "The QRS simulator is not built ($dll): run dotnet build QlikActivity.sln -c $Configuration."
    }

    $dotnet = (Get-Command -Name dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $certificateDirectory = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('qlikactivity-sim-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $certificateDirectory -Force

    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $dotnet
    # Port 0: the simulator takes a free port and names it in its ready line.
    $startInfo.Arguments = '"{0}" --users {1} --port 0 --cert-dir "{2}"' -f $dll, $Users, $certificateDirectory
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.CreateNoWindow = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)

    $port = $null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($null -eq $port) {
        $remaining = [int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
        $read = $process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait($remaining)) {
            $process.Kill()
            throw "The QRS simulator did not report 'listening on' within $TimeoutSec seconds."
        }

        $line = $read.Result
        if ($null -eq $line) {
            $process.WaitForExit()
            throw "The QRS simulator exited (code $($process.ExitCode)) before it was ready."
        }

        if ($line -match 'listening on https://[^:]+:(\d+)') {
            $port = [int]$Matches[1]
        }
    }

    [pscustomobject]@{
        Process              = $process
        Port                 = $port
        Server               = 'localhost'
        CertificateDirectory = $certificateDirectory
        Users                = $Users
    }
}

function Stop-TestQrsSimulator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [AllowNull()]
        [object] $Simulator
    )

    process {
        if ($null -eq $Simulator) {
            return
        }

        if (-not $Simulator.Process.HasExited) {
            $Simulator.Process.Kill()
            $null = $Simulator.Process.WaitForExit(10000)
        }

        $Simulator.Process.Dispose()
        Remove-Item -LiteralPath $Simulator.CertificateDirectory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Start-TestQlikEventListener {
    <#
    .SYNOPSIS
        Runs Start-QlikEventListener in its own runspace (the module imported there too), so the
        caller can send events to it; returns once the listener's socket is bound (its verbose
        'Listening for' line). Receive-TestQlikEventListener collects what it wrote.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ModulePath,

        [Parameter(Mandatory = $true)]
        [hashtable] $Parameters,

        # Seconds to wait for the listener to bind.
        [ValidateRange(1, 600)]
        [int] $TimeoutSec = 60,

        # Return at once: the caller must first answer something the start waits on (a destination's
        # start-up check), then call Wait-TestQlikEventListener.
        [switch] $NoWait
    )

    $shell = [powershell]::Create()
    $null = $shell.AddScript({
            param($modulePath, $parameters)
            Import-Module -Name $modulePath -ErrorAction Stop
            # The listener says on the verbose stream when its socket is bound: the caller waits for that line.
            $VerbosePreference = 'Continue'
            Start-QlikEventListener @parameters
        }).AddArgument($ModulePath).AddArgument($Parameters)
    $listener = [pscustomobject]@{
        Shell  = $shell
        Handle = $shell.BeginInvoke()
    }

    if (-not $NoWait) {
        Wait-TestQlikEventListener -Listener $listener -TimeoutSec $TimeoutSec
    }

    $listener
}

function Wait-TestQlikEventListener {
    <#
    .SYNOPSIS
        Returns once the listener's socket listens (its verbose 'Listening for' line), or its run has
        ended (e.g. on a binding error): a wait on what the listener says, not a sleep.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Listener,

        [ValidateRange(1, 600)]
        [int] $TimeoutSec = 60
    )

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not $Listener.Handle.IsCompleted -and
        -not @($Listener.Shell.Streams.Verbose | Where-Object { $_.Message -like 'Listening for Qlik Sense user events*' }).Count) {
        if ([DateTime]::UtcNow -gt $deadline) {
            $Listener.Shell.Stop()
            throw "The listener did not say it was listening within $TimeoutSec seconds."
        }

        $null = $Listener.Handle.AsyncWaitHandle.WaitOne(20)
    }
}

function Receive-TestQlikEventListener {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Listener,

        [ValidateRange(1, 600)]
        [int] $TimeoutSec = 60
    )

    try {
        if (-not $Listener.Handle.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))) {
            $Listener.Shell.Stop()
            throw "The listener did not finish within $TimeoutSec seconds."
        }

        $output = $Listener.Shell.EndInvoke($Listener.Handle)
        foreach ($record in $Listener.Shell.Streams.Error) {
            Write-Error -ErrorRecord $record
        }

        $output
    }
    finally {
        $Listener.Shell.Dispose()
    }
}

function Get-TestFreeUdpPort {
    # Binding port 0 lets the system pick a free port; it is released at once for the listener.
    $socket = New-Object System.Net.Sockets.UdpClient -ArgumentList (New-Object System.Net.IPEndPoint -ArgumentList ([System.Net.IPAddress]::Loopback), 0)
    try {
        ([System.Net.IPEndPoint]$socket.Client.LocalEndPoint).Port
    }
    finally {
        $socket.Close()
    }
}

function Get-TestFreeTcpPort {
    $listener = New-Object System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
    $listener.Start()
    try {
        ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function Invoke-TestRecordedHost {
    <#
    .SYNOPSIS
        Runs a script block in a new runspace whose host records what it is given (the recording
        PSHost of tests/QlikActivity.PowerShell.Tests), so "What if:" text is asserted, not printed.
        Returns Output (the objects) and HostLines (the host's lines, e.g. What if: ...).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ModulePath,

        [Parameter(Mandatory = $true)]
        [scriptblock] $ScriptBlock,

        # Variables for the script block, e.g. @{ Connection = $connection }.
        [hashtable] $Variables = @{}
    )

    if (-not ('QlikActivity.PowerShell.Tests.Fixtures.RecordingHost' -as [type])) {
        $source = [System.IO.Path]::Combine($PSScriptRoot, '..', 'QlikActivity.PowerShell.Tests', 'Fixtures', 'RecordingHost.cs')
        Add-Type -Path $source
    }

    $recordingHost = New-Object -TypeName QlikActivity.PowerShell.Tests.Fixtures.RecordingHost -ArgumentList 120
    $runspace = [runspacefactory]::CreateRunspace($recordingHost)
    $runspace.Open()
    try {
        foreach ($name in $Variables.Keys) {
            $runspace.SessionStateProxy.SetVariable($name, $Variables[$name])
        }

        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
        $null = $shell.AddScript("Import-Module -Name '$ModulePath' -ErrorAction Stop").AddStatement().AddScript($ScriptBlock.ToString())
        $output = $shell.Invoke()
        foreach ($record in $shell.Streams.Error) {
            Write-Error -ErrorRecord $record
        }

        $shell.Dispose()
        [pscustomobject]@{
            Output    = @($output)
            HostLines = @($recordingHost.Text('Host'))
        }
    }
    finally {
        $runspace.Dispose()
    }
}

Export-ModuleMember -Function Invoke-TestRecordedHost, Start-TestQrsSimulator, Stop-TestQrsSimulator, Start-TestQlikEventListener, Wait-TestQlikEventListener, Receive-TestQlikEventListener, Get-TestFreeUdpPort, Get-TestFreeTcpPort
