Attribute VB_Name = "DemandReview"
' The Demand Review ribbon's callbacks (customUI.xml names them as DemandReview.On...).
' Each hands over to Python through xlwings's RunPython, which runs the named function in
' addin.excel.ribbon on the workbook the user is in. The Python side shows progress in the status
' bar and every problem in a dialog, so these stay one line each.
Option Explicit

Public Sub OnPull(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.pull()"
End Sub

Public Sub OnRefresh(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.refresh()"
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.check()"
End Sub

Public Sub OnPush(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.push()"
End Sub

Public Sub OnDryRun(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.dry_run()"
End Sub

Public Sub OnSpread(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.spread()"
End Sub

Public Sub OnSpreadApply(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.spread_apply()"
End Sub

Public Sub OnUndoPush(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.undo_push()"
End Sub

' Settings runs without Python, so it still helps when the interpreter path is wrong.
Public Sub OnSettings(control As IRibbonControl)
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then interpreter = "(not set: run  demandgrid addin install)"
    MsgBox "Python interpreter: " & interpreter & vbCrLf & _
           "PYTHONPATH: " & GetConfig("PYTHONPATH", "(not set)") & vbCrLf & vbCrLf & _
           "Settings file: " & GetConfigFilePath() & vbCrLf & _
           "To change them, run  demandgrid addin install  with the Python you want, " & _
           "or edit the settings file and restart Excel.", _
           vbInformation, "Demand Review settings"
End Sub

Public Sub OnPreRead(control As IRibbonControl)
    RunPython "import addin.excel.ribbon; addin.excel.ribbon.preread()"
End Sub
