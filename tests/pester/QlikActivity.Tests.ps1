#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Imports the built module (out/QlikActivity) and runs every cmdlet against the QRS simulator and
# real UDP sockets. Run by build.ps1 -Task Test when Pester 5 is installed, in PowerShell 7 (the
# net8.0 build) and, on Windows, in Windows PowerShell 5.1 (the netstandard2.0 build).
# Windows PowerShell 5.1 syntax throughout.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
    $script:Configuration = if ($env:QLIKACTIVITY_CONFIGURATION) { $env:QLIKACTIVITY_CONFIGURATION } else { 'Release' }
    $script:ModulePath = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QlikActivity', 'QlikActivity.psd1')
    if (-not (Test-Path -LiteralPath $script:ModulePath)) {
        throw "The module is not built ($script:ModulePath): run dotnet build QlikActivity.sln -c $script:Configuration."
    }

    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'TestQrsSimulator.psm1') -Force
    $script:Simulator = Start-TestQrsSimulator -RepositoryRoot $script:RepositoryRoot -Configuration $script:Configuration -Users 200
    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop

    $script:ConnectParameters = @{
        Server          = $script:Simulator.Server
        Port            = $script:Simulator.Port
        CertificatePath = $script:Simulator.CertificateDirectory
    }
    $script:Connection = Connect-QlikSense @script:ConnectParameters
}

AfterAll {
    Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
    Stop-TestQrsSimulator -Simulator $script:Simulator
}

Describe 'The module' {
    It 'loads the build for this edition' {
        $expected = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
        $assembly = (Get-Command -Name Connect-QlikSense).ImplementingType.Assembly
        (Split-Path -Path (Split-Path -Path $assembly.Location -Parent) -Leaf) | Should -Be $expected
    }

    It 'exports exactly the cmdlets of the manifest' {
        $manifest = Import-PowerShellDataFile -Path $script:ModulePath
        $exported = (Get-Module -Name QlikActivity).ExportedCommands.Keys | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'has help with examples for every cmdlet' {
        foreach ($name in (Get-Module -Name QlikActivity).ExportedCmdlets.Keys) {
            $help = Get-Help -Name $name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because "$name needs a synopsis"
            $help.Synopsis | Should -Not -BeLike "$name *" -Because "$name should have written help, not the generated syntax"
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2 -Because "$name needs two examples"
        }
    }

    It 'ships the about topic beside the manifest' {
        $about = [System.IO.Path]::Combine((Get-Module -Name QlikActivity).ModuleBase, 'en-US', 'about_QlikActivity.help.txt')
        Get-Content -LiteralPath $about -Raw | Should -Match 'MOVING FROM BUTLER SOS'
    }
}

Describe 'Connect-QlikSense' {
    It 'returns the connection, with no secret in its properties or its table' {
        $script:Connection | Should -BeOfType 'QlikActivity.Core.Qrs.QlikSenseConnection'
        $script:Connection.Server | Should -Be $script:Simulator.Server
        $script:Connection.Port | Should -Be $script:Simulator.Port
        $table = $script:Connection | Format-Table | Out-String
        $table | Should -Match 'Server'
        $table | Should -Not -Match 'PRIVATE KEY'
        $script:Connection.PSObject.Properties.Name | Should -Not -Contain 'Password'
    }

    It 'names the missing folder when the certificates are not there' {
        $failure = $null
        try {
            Connect-QlikSense -Server $script:Simulator.Server -Port $script:Simulator.Port -CertificatePath (Join-Path -Path $TestDrive -ChildPath 'none') -ErrorAction Stop
        }
        catch {
            $failure = $_
        }

        $failure | Should -Not -BeNullOrEmpty
        $failure.Exception.Message | Should -Match 'none'
    }
}

Describe 'Get-QlikUserActivity' {
    BeforeAll {
        $script:Activity = @(Get-QlikUserActivity)
    }

    It 'returns one object per user of the repository' {
        $script:Activity.Count | Should -BeGreaterOrEqual $script:Simulator.Users
        @($script:Activity.Id | Sort-Object -Unique).Count | Should -Be $script:Activity.Count
        $script:Activity[0] | Should -BeOfType 'QlikActivity.Core.Activity.UserActivity'
        @($script:Activity | Where-Object { [string]::IsNullOrEmpty($_.UserId) }).Count | Should -Be 0
    }

    It 'puts every user in the bucket its days of inactivity call for' {
        $limits = 1, 7, 14, 30, 90, 180, 365
        $active = @($script:Activity | Where-Object { $null -ne $_.LastActivity })
        $active.Count | Should -BeGreaterThan 0
        foreach ($user in $active) {
            # Whole UTC calendar days to today (the run may have started just before midnight).
            $days = ([DateTime]::UtcNow.Date - $user.LastActivity.ToUniversalTime().Date).Days
            $user.DaysInactive | Should -BeIn @($days, ($days - 1)) -Because "$($user.UserId) was last active $($user.LastActivity.ToString('o'))"
            $limit = @($limits | Where-Object { $user.DaysInactive -le $_ } | Select-Object -First 1)
            $expected = if ($limit.Count) { [string]$limit[0] } else { '365+' }
            $user.Bucket | Should -Be $expected -Because "$($user.UserId) was inactive $($user.DaysInactive) days"
        }

        foreach ($user in ($script:Activity | Where-Object { $null -eq $_.LastActivity })) {
            $user.Bucket | Should -BeIn 'never', 'no record'
            $user.DaysInactive | Should -BeNullOrEmpty
        }

        # The seeded site spreads its users over the buckets: one bucket for all would fail here.
        @($active.Bucket | Sort-Object -Unique).Count | Should -BeGreaterThan 3
    }

    It 'filters by user directory' {
        $directory = $script:Activity[0].UserDirectory
        $filtered = @(Get-QlikUserActivity -UserDirectory $directory)
        $filtered.Count | Should -BeGreaterThan 0
        $filtered.Count | Should -BeLessOrEqual $script:Activity.Count
        @($filtered | Where-Object { $_.UserDirectory -ne $directory }).Count | Should -Be 0
    }

    It 'prints a table with the activity columns' {
        $table = $script:Activity | Select-Object -First 5 | Format-Table | Out-String
        $table | Should -Match 'UserDirectory'
        $table | Should -Match 'DaysInactive'
        $table | Should -Match 'Bucket'
    }
}

Describe 'Set-QlikActivityBucket' {
    It 'changes nothing under -WhatIf' {
        $before = @(Get-QlikUserActivity)
        $whatIf = Invoke-TestRecordedHost -ModulePath $script:ModulePath -Variables @{ Connection = $script:Connection } -ScriptBlock {
            Set-QlikActivityBucket -Name 'PesterActivity' -Connection $Connection -WhatIf
        }
        $planned = $whatIf.Output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Activity.ActivityBucketSummary' }
        $planned | Should -Not -BeNullOrEmpty
        $planned.Updated | Should -Be 0
        $planned.WouldUpdate | Should -BeGreaterThan 0
        # One "What if:" line per planned user write, shown to the host and not in the log.
        @($whatIf.HostLines | Where-Object { $_ -like 'What if:*' -and $_ -notlike '*target "Custom property*' }).Count | Should -Be $planned.WouldUpdate
        # A real run after -WhatIf still has every one of those users to write: -WhatIf wrote none of them.
        $result = @(Set-QlikActivityBucket -Name 'PesterActivity' -Confirm:$false)
        $summary = $result | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Activity.ActivityBucketSummary' }
        $summary | Should -Not -BeNullOrEmpty
        $summary.Updated | Should -Be $planned.WouldUpdate
        $summary.Failed | Should -Be 0
        $summary.UsersInScope | Should -BeGreaterThan 0
        $summary.UsersInScope | Should -BeLessOrEqual $before.Count
    }

    It 'writes nothing the second time: only changed users are written' {
        $result = @(Set-QlikActivityBucket -Name 'PesterActivity' -Confirm:$false)
        $summary = $result | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Activity.ActivityBucketSummary' }
        $summary.Updated | Should -Be 0
        $summary.Unchanged | Should -BeGreaterThan 0
    }

    It 'prints the per-user results and the summary in their own views' {
        $run = Invoke-TestRecordedHost -ModulePath $script:ModulePath -Variables @{ Connection = $script:Connection } -ScriptBlock {
            Set-QlikActivityBucket -Name 'PesterActivity' -Connection $Connection -PassThru -WhatIf
        }
        $results = @($run.Output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Activity.ActivityBucketResult' })
        $summary = $run.Output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Activity.ActivityBucketSummary' }
        $results.Count | Should -BeGreaterThan 0
        # The views' own columns: default formatting would show every property (UserId) and the property names (UsersInScope).
        $resultHeader = (($results | Format-Table | Out-String -Width 200) -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
        ($resultHeader -split '\s+' | Where-Object { $_ }) | Should -Be @('User', 'OldValue', 'NewValue', 'Status', 'Reason')
        $summaryTable = $summary | Format-Table | Out-String -Width 200
        $summaryTable | Should -Match 'InScope'
        $summaryTable | Should -Match 'Definition'
        $summaryTable | Should -Not -Match 'UsersInScope'
    }
}

Describe 'New-QlikLogAppenderConfig' {
    It 'returns the appender XML pointed at the listener' {
        $xml = [xml](New-QlikLogAppenderConfig -ListenerAddress 'listener.example.com' -Port 9997 | Out-String)
        $appenders = @($xml.configuration.appender)
        $appenders.Count | Should -BeGreaterOrEqual 2
        ($xml.OuterXml) | Should -Match 'listener.example.com'
        ($xml.OuterXml) | Should -Match '9997'
        ($xml.OuterXml) | Should -Match '/qseow-proxy-session/'
    }

    It 'writes LocalLogConfig.xml into a folder, and nothing under -WhatIf' {
        $folder = Join-Path -Path $TestDrive -ChildPath 'Proxy'
        $null = New-Item -ItemType Directory -Path $folder
        New-QlikLogAppenderConfig -ListenerAddress 127.0.0.1 -Path $folder -WhatIf
        Test-Path -LiteralPath (Join-Path -Path $folder -ChildPath 'LocalLogConfig.xml') | Should -BeFalse
        $file = New-QlikLogAppenderConfig -ListenerAddress 127.0.0.1 -Path $folder -Confirm:$false
        $file.Name | Should -Be 'LocalLogConfig.xml'
        Get-Content -LiteralPath $file.FullName -Raw | Should -Match '127.0.0.1'
    }
}

Describe 'Start-QlikEventListener and Send-QlikUserEvent' {
    BeforeAll {
        $script:UdpPort = Get-TestFreeUdpPort
        $listener = Start-TestQlikEventListener -ModulePath $script:ModulePath -Parameters @{
            Address = '127.0.0.1'
            Port    = $script:UdpPort
            Count   = 4
            Timeout = 90
        }

        # Start-TestQlikEventListener returns once the socket is bound: each of the four types goes once.
        $types = 'SessionStart', 'ConnectionOpen', 'ConnectionClose', 'SessionStop'
        $script:Sent = @()
        foreach ($type in $types) {
            $script:Sent += Send-QlikUserEvent -Server 127.0.0.1 -Port $script:UdpPort -EventType $type -UserDirectory 'PESTER' -UserId "user_$type" -HostName 'sense-pester' -PassThru
        }

        $script:Output = @(Receive-TestQlikEventListener -Listener $listener -TimeoutSec 120)
        $script:Events = @($script:Output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.UserEvent' })
        $script:Statistics = @($script:Output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Events.ListenerStatistics' }) | Select-Object -Last 1
    }

    It 'Send-QlikUserEvent -PassThru returns the datagram that went over the wire' {
        $script:Sent[0] | Should -BeOfType 'QlikActivity.Core.Events.SentUserEvent'
        $socket = New-Object System.Net.Sockets.UdpClient -ArgumentList (New-Object System.Net.IPEndPoint -ArgumentList ([System.Net.IPAddress]::Loopback), 0)
        try {
            $socket.Client.ReceiveTimeout = 60000
            $port = $socket.Client.LocalEndPoint.Port
            $sent = Send-QlikUserEvent -Server 127.0.0.1 -Port $port -EventType ConnectionOpen -UserDirectory 'PESTER' -UserId 'wire' -PassThru
            $from = New-Object System.Net.IPEndPoint -ArgumentList ([System.Net.IPAddress]::Any), 0
            $bytes = $socket.Receive([ref]$from)
            [System.Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly $sent.Datagram
            $sent.Port | Should -Be $port
            $sent.Datagram | Should -BeLike '/qseow-proxy-connection/;*;Open connection;PESTER;wire;*'
        }
        finally {
            $socket.Close()
        }
    }

    It 'emits the events it received as objects' {
        $script:Events.Count | Should -Be 4
        ($script:Events.EventType | ForEach-Object { [string]$_ } | Sort-Object) | Should -Be ('ConnectionClose', 'ConnectionOpen', 'SessionStart', 'SessionStop')
        foreach ($received in $script:Events) {
            $received.Host | Should -Be 'sense-pester'
            $received.UserDirectory | Should -Be 'PESTER'
            $received.UserId | Should -Be ('user_' + $received.EventType)
        }
    }

    It 'ends with statistics that account for the events' {
        $script:Statistics | Should -Not -BeNullOrEmpty
        $script:Statistics.Received | Should -BeGreaterOrEqual 4
        $script:Statistics.Emitted | Should -Be 4
        ($script:Statistics | Format-Table | Out-String) | Should -Match 'Received'
    }

    It 'prints events as a table' {
        # A wide console, so the host column is not cut; readability at 80/120 columns is issue 9's item 2.
        $table = $script:Events | Format-Table | Out-String -Width 250
        $table | Should -Match 'sense-pester'
        $table | Should -Match 'PESTER\\user_SessionStart'
    }

    It 'names the message type by the prefix and reads the user agent as Butler SOS does' {
        foreach ($received in $script:Events) {
            $expected = if ([string]$received.EventType -like 'Session*') { 'qseow-proxy-session' } else { 'qseow-proxy-connection' }
            $received.MessageType | Should -Be $expected
        }

        $withAgent = @($script:Events | Where-Object { $_.UserAgent })
        $withAgent.Count | Should -BeGreaterThan 0
        foreach ($received in $withAgent) {
            $received.BrowserName | Should -Be 'Chrome'
            $received.OsVersion | Should -Be 'NT 10.0'
            $received.DeviceType | Should -Be 'desktop'
        }
    }

    It 'sends nothing under -WhatIf: the first datagram to arrive is the sentinel sent after it' {
        $socket = New-Object System.Net.Sockets.UdpClient -ArgumentList (New-Object System.Net.IPEndPoint -ArgumentList ([System.Net.IPAddress]::Loopback), 0)
        try {
            $socket.Client.ReceiveTimeout = 60000
            $port = $socket.Client.LocalEndPoint.Port
            @(Send-QlikUserEvent -Server 127.0.0.1 -Port $port -Count 3 -PassThru -WhatIf).Count | Should -Be 0
            $null = Send-QlikUserEvent -Server 127.0.0.1 -Port $port -UserDirectory 'PESTER' -UserId 'sentinel'
            $from = New-Object System.Net.IPEndPoint -ArgumentList ([System.Net.IPAddress]::Any), 0
            [System.Text.Encoding]::UTF8.GetString($socket.Receive([ref]$from)) | Should -BeLike '*;PESTER;sentinel;*'
            $socket.Available | Should -Be 0
        }
        finally {
            $socket.Close()
        }
    }
}

Describe 'Destinations' {
    # Parameter names follow the destination cmdlets; each object must be usable as -Destination
    # and must never show a secret in its name or table.
    It 'New-QlikMqttDestination builds an MQTT destination' {
        $destination = New-QlikMqttDestination -Broker 127.0.0.1 -Port 1883
        $destination | Should -BeOfType 'QlikActivity.Core.Destinations.Mqtt.MqttDestination'
        $destination.Name | Should -Match '127.0.0.1'
    }

    It 'New-QlikInfluxDbDestination builds an InfluxDB destination' {
        $destination = New-QlikInfluxDbDestination -Uri 'http://127.0.0.1:8086' -Database 'qlik'
        $destination | Should -BeOfType 'QlikActivity.Core.Destinations.InfluxDb.InfluxDbDestination'
        $destination.Name | Should -Match '127.0.0.1'
    }

    It 'New-QlikNewRelicDestination keeps its key out of sight' {
        $key = ConvertTo-SecureString -String 'NRAK-PESTERSECRET' -AsPlainText -Force
        $destination = New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key
        $destination | Should -BeOfType 'QlikActivity.Core.Destinations.NewRelic.NewRelicDestination'
        ($destination | Format-List * | Out-String) | Should -Not -Match 'PESTERSECRET'
    }

    It 'takes a CA file for the HTTP destinations, resolved from the current location, for https:// only' {
        Push-Location -LiteralPath $script:Simulator.CertificateDirectory
        try {
            $full = Join-Path -Path $script:Simulator.CertificateDirectory -ChildPath 'root.pem'
            $influx = New-QlikInfluxDbDestination -Uri 'https://127.0.0.1:8086' -Database 'qlik' -CaCertificatePath 'root.pem'
            $influx.CaCertificatePath | Should -Be $full
            $key = ConvertTo-SecureString -String 'NRAK-PESTERSECRET' -AsPlainText -Force
            (New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -CaCertificatePath 'root.pem').CaCertificatePath | Should -Be $full
            $url = ConvertTo-SecureString -String 'https://127.0.0.1:9/hook/PESTERTOKEN' -AsPlainText -Force
            (New-QlikWebhookDestination -Uri $url -CaCertificatePath 'root.pem').CaCertificatePath | Should -Be $full

            { New-QlikInfluxDbDestination -Uri 'http://127.0.0.1:8086' -Database 'qlik' -CaCertificatePath 'root.pem' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InfluxDbCaWithoutTls,QlikActivity.Commands.NewQlikInfluxDbDestinationCommand'
        }
        finally {
            Pop-Location
        }
    }

    It 'Start-QlikEventListener warns when a destination skips the certificate check or sends a secret in clear' {
        $token = ConvertTo-SecureString -String 'PESTER-TOKEN' -AsPlainText -Force
        $skipping = New-QlikInfluxDbDestination -Uri 'https://127.0.0.1:8086' -Organization 'qlik' -Bucket 'events' -Token $token -SkipCertificateCheck
        $clear = New-QlikInfluxDbDestination -Uri 'http://127.0.0.1:8087' -Organization 'qlik' -Bucket 'events' -Token $token
        $null = Start-QlikEventListener -Address 127.0.0.1 -Port (Get-TestFreeUdpPort) -AllowedSource 127.0.0.1 -Timeout 1 -NoEvents -Destination $skipping, $clear -WarningVariable warnings -WarningAction SilentlyContinue
        $text = ($warnings | ForEach-Object { $_.Message }) -join "`n"
        $text | Should -Match '127\.0\.0\.1:8086.*-SkipCertificateCheck'
        $text | Should -Match '127\.0\.0\.1:8087.*without TLS'
        $text | Should -Not -Match 'PESTER-TOKEN'
    }

    It 'New-QlikWebhookDestination forwards events to a webhook' {
        $port = Get-TestFreeTcpPort
        $http = New-Object System.Net.HttpListener
        $http.Prefixes.Add("http://127.0.0.1:$port/hook/")
        $http.Start()
        try {
            $secretUrl = ConvertTo-SecureString -String "http://127.0.0.1:$port/hook/PESTERTOKEN" -AsPlainText -Force
            $destination = New-QlikWebhookDestination -Uri $secretUrl
            $destination | Should -BeOfType 'QlikActivity.Core.Destinations.Webhooks.WebhookDestination'
            ($destination | Format-Table | Out-String) | Should -Not -Match 'PESTERTOKEN'

            $udpPort = Get-TestFreeUdpPort
            $listener = Start-TestQlikEventListener -ModulePath $script:ModulePath -Parameters @{
                Address     = '127.0.0.1'
                Port        = $udpPort
                Count       = 1
                Timeout     = 90
                Destination = $destination
                NoEvents    = $true
            } -NoWait
            # At start the listener checks that the webhook answers with a bodiless HEAD (issue 11 item 4):
            # answer it, wait for the socket to listen, send one event and take the POST that carries it.
            $request = $http.GetContextAsync()
            $request.Wait(30000) | Should -BeTrue
            $request.Result.Request.HttpMethod | Should -Be 'HEAD'
            $request.Result.Response.StatusCode = 200
            $request.Result.Response.Close()
            Wait-TestQlikEventListener -Listener $listener
            $request = $http.GetContextAsync()
            $null = Send-QlikUserEvent -Server 127.0.0.1 -Port $udpPort -UserDirectory 'PESTER' -UserId 'webhook'
            $request.Wait(60000) | Should -BeTrue
            $context = $request.Result
            $context.Request.HttpMethod | Should -Be 'POST'
            $body = (New-Object System.IO.StreamReader -ArgumentList $context.Request.InputStream).ReadToEnd()
            $context.Response.StatusCode = 204
            $context.Response.Close()
            $body | Should -Match 'webhook'
            $null = Receive-TestQlikEventListener -Listener $listener -TimeoutSec 120
        }
        finally {
            $http.Stop()
            $http.Close()
        }
    }
}

Describe 'Disconnect-QlikSense' {
    It 'closes a given connection and leaves the default alone' {
        $second = Connect-QlikSense @script:ConnectParameters
        $third = Connect-QlikSense @script:ConnectParameters
        Disconnect-QlikSense -Connection $second
        $second.IsOpen | Should -BeFalse
        @(Get-QlikUserActivity -Connection $third).Count | Should -BeGreaterOrEqual $script:Simulator.Users
        Disconnect-QlikSense -Connection $third
    }

    It 'forgets the default connection' {
        $null = Connect-QlikSense @script:ConnectParameters
        Disconnect-QlikSense
        $failure = $null
        try {
            Get-QlikUserActivity -ErrorAction Stop
        }
        catch {
            $failure = $_
        }

        $failure.FullyQualifiedErrorId | Should -BeLike 'QlikNotConnected*'
    }
}
