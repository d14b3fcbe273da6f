package dev.berth.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * The templates the differential test runs through {@code docker plugin inspect -f} / {@code ls --format}
 * and {@code berth}: idioms from Docker's documentation and issues, written by hand, and generated
 * combinations of the plugin's fields with the functions and actions that take them.
 */
final class TemplateCorpus {
    private TemplateCorpus() {
    }

    /** Hand-written inspect templates: what scripts do, and the corners of Go's semantics. */
    static final List<String> INSPECT_IDIOMS = List.of(
            // the cases
            "{{with $mount := index .Settings.Mounts 0}}{{$mount.Source}}{{end}}",
            "{{(index .Settings.Mounts 0).Source}}",
            "{{(index .Config.Mounts 0).Name}}",
            // documented idioms
            "{{.Id}}", "{{.ID}}", "{{.Name}}", "{{.Enabled}}", "{{.PluginReference}}",
            "{{json .}}", "{{json .Config}}", "{{json .Settings}}", "{{json .Config.Interface}}",
            "{{json .Config.Mounts}}", "{{json .Settings.Mounts}}", "{{json .Config.Env}}", "{{json .Config.Linux}}",
            "{{json .Config.User}}", "{{json .Config.Rootfs}}", "{{json .Config.Args}}",
            "{{.Config.Description}}", "{{.Config.Documentation}}", "{{.Config.WorkDir}}", "{{.Config.PropagatedMount}}",
            "{{.Config.Interface.Socket}}", "{{.Config.Interface.Types}}", "{{.Config.Interface}}",
            "{{range .Config.Interface.Types}}{{.Prefix}}.{{.Capability}}/{{.Version}}{{end}}",
            "{{range .Settings.Env}}{{println .}}{{end}}",
            "{{range .Config.Env}}{{.Name}}={{if .Value}}{{.Value}}{{else}}unset{{end}} {{end}}",
            "{{range $i, $e := .Config.Mounts}}{{$i}}:{{$e.Destination}} {{end}}",
            "{{range $e := .Settings.Env}}[{{$e}}]{{end}}",
            "{{range .Config.Mounts}}{{.Name}}={{if .Source}}{{.Source}}{{else}}-{{end}};{{end}}",
            "{{range .Config.Linux.Devices}}{{.Name}}:{{.Path}} {{else}}no devices{{end}}",
            "{{range .Settings.Devices}}{{.Path}}{{else}}none{{end}}",
            "{{range .Config.Linux.Capabilities}}{{.}},{{end}}",
            "{{join .Config.Linux.Capabilities \",\"}}", "{{join .Settings.Env \" \"}}", "{{join .Config.Entrypoint \" \"}}",
            "{{join .Settings.Args \",\"}}", "{{len .Settings.Mounts}}", "{{len .Config.Env}}", "{{len .Name}}",
            "{{if .Enabled}}enabled{{else}}disabled{{end}}",
            "{{if not .Enabled}}off{{else if .Name}}named{{end}}",
            "{{if and .Config.Mounts .Settings.Mounts}}both{{else}}not both{{end}}",
            "{{if or .Config.IpcHost .Config.PidHost}}host ns{{else}}own ns{{end}}",
            "{{if eq .Config.Network.Type \"host\"}}host{{else}}{{.Config.Network.Type}}-net{{end}}",
            "{{if ne (len .Settings.Env) 0}}has env{{end}}",
            "{{if gt (len .Config.Mounts) 1}}many{{else if eq (len .Config.Mounts) 1}}one{{else}}none{{end}}",
            "{{with .Config.Args}}{{.Name}}:{{.Value}}{{end}}",
            "{{with .Config.Rootfs}}{{.Type}} {{len .DiffIds}}{{end}}",
            "{{with .Config.Mounts}}{{len .}} mounts{{else}}no mounts{{end}}",
            "{{.Name | upper}}", "{{.Name | printf \"%q\"}}", "{{.Config.Description | lower | title}}",
            "{{upper .Config.Description}}", "{{title .Config.Network.Type}}", "{{split .Name \":\"}}",
            "{{index (split .Name \":\") 0}}", "{{index (split .Name \"/\") 1}}", "{{truncate .Name 5}}",
            "{{pad .Config.Network.Type 1 1}}|", "{{printf \"%s (%v)\" .Name .Enabled}}",
            "{{printf \"%-20s|%5d|%x\" .Name (len .Name) .Name}}", "{{printf \"%t %v\" .Enabled .Config.User}}",
            "{{printf \"%+v\" .Config.User}}", "{{printf \"%T %T %T\" .Config.User.UID .Enabled .Config.Mounts}}",
            "{{printf \"%d%%\" 50}}", "{{printf \"%s\"}}", "{{printf \"%d\" \"x\"}}", "{{printf \"a\" 1 2}}",
            "{{print .Enabled 1 2 \"s\" 3}}", "{{println .Name .Enabled}}", "{{print}}",
            "{{html \"<b>&'\\\"\"}}", "{{js \"it's <x> & \\\"y\\\"\"}}", "{{urlquery .Name \"a b&c\"}}",
            "{{html .Config.Entrypoint}}", "{{js 1 2}}",
            // variables, scope, assignment
            "{{$n := .Name}}{{$n}}", "{{$x := 1}}{{$x = 2}}{{$x}}",
            "{{$c := 0}}{{range .Settings.Env}}{{$c = len .}}{{end}}{{$c}}",
            "{{$first := \"\"}}{{range $i, $m := .Config.Mounts}}{{if eq $i 0}}{{$first = $m.Name}}{{end}}{{end}}{{$first}}",
            "{{with $p := .Config}}{{$p.WorkDir}}{{$.Name}}{{end}}",
            "{{range .Config.Mounts}}{{$.Name}}:{{.Name}} {{end}}", "{{$}}",
            // break, continue, comments, trim markers
            "{{range .Settings.Env}}{{if eq . \"DEBUG=0\"}}{{break}}{{end}}{{.}};{{end}}end",
            "{{range $i, $e := .Config.Mounts}}{{if eq $i 0}}{{continue}}{{end}}{{$e.Destination}}{{end}}",
            "{{/* a comment */}}x", "a {{- /* trimmed */ -}} b", "{{- .Name -}}  ", "  {{- .Name}}  |  {{.Enabled -}}  |",
            "{{range .Config.Entrypoint -}}\n  {{.}}\n{{- end}}",
            // parentheses and chains
            "{{(index .Config.Interface.Types 0).Capability}}", "{{(.Config).WorkDir}}", "{{(len .Name)}}",
            "{{index .Config.Entrypoint 0}}", "{{index .Settings.Mounts 5}}", "{{index .Config.Env 0 \"x\"}}",
            "{{slice .Name 0 4}}", "{{slice .Config.Entrypoint 1}}", "{{slice .Name 3 1}}",
            "{{index . \"Name\"}}", "{{index .Name 0}}",
            // comparisons: mixed integer kinds, several arguments, bad types
            "{{eq .Config.User.UID 0}}", "{{eq 0 .Config.User.GID 1}}", "{{lt .Config.User.UID 1}}",
            "{{le 1 1}} {{ge 2 1}} {{gt 1.5 1.2}}", "{{eq .Name \"a\" \"b\" .Name}}", "{{eq .Enabled false}}",
            "{{eq .Settings.Mounts nil}}", "{{eq .Config.Mounts .Config.Mounts}}", "{{lt .Name 1}}", "{{eq 1 \"1\"}}",
            "{{ne .Name \"x\"}}", "{{lt true false}}", "{{eq}}", "{{eq 1}}",
            // and/or short-circuit and values
            "{{and .Enabled (index .Settings.Mounts 99)}}", "{{or .Name (index .Settings.Mounts 99)}}",
            "{{and 1 \"x\" .Name}}", "{{or 0 \"\" nil}}", "{{or 0 \"\" .Settings.Mounts}}", "{{not .Settings.Env}}",
            "{{not 0}}", "{{and}}",
            // literals
            "{{1.5}} {{1e6}} {{0x1F}} {{'a'}} {{-3}} {{1_000}}", "{{\"a\\tb\"}}", "{{`raw\\n`}}", "{{true}}",
            // errors, as Go words them
            "{{.Foo}}", "{{.Config.Foo}}", "{{.Settings.Mounts.Foo}}", "{{.config}}", "{{upper .Enabled}}",
            "{{len .Foo}}", "{{len 3}}", "{{index 1 2}}", "{{.Name 1}}", "{{.Name | .Enabled}}", "{{nil}}",
            "{{call .Name}}", "{{range .Name}}{{end}}", "{{join .Name \",\"}}", "{{truncate .Name \"x\"}}",
            "{{foo}}", "{{.Name", "{{if .Enabled}}x", "{{end}}", "{{else}}", "{{$y}}", "{{break}}", "{{range $a, $b, $c := .}}{{end}}",
            "{{}}", "{{\"open}}", "{{(.Name}}", "{{.Name)}}", "{{.Name | 3}}", "{{with}}{{end}}", "{{1 2}}",
            "{{define \"x\"}}y{{end}}", "{{define \"m\"}}[{{.Name}}]{{end}}{{range .Config.Mounts}}{{template \"m\" .}}{{end}}",
            "{{block \"b\" .Config.Network}}<{{.Type}}>{{end}}", "{{template \"nope\"}}", "{{.Name.Foo}}", "{{.Enabled.Foo}}", "{{$x := 1}}{{$x.Foo}}",
            "{{(index .Config.Mounts 9).Name}}", "{{.Config.Rootfs.Foo}}",
            // struct and pointer printing (pointers inside print as addresses: normalized)
            "{{.}}", "{{.Config}}", "{{.Settings}}", "{{.Config.Mounts}}", "{{.Config.Env}}", "{{.Config.Linux}}",
            "{{.Config.Args}}", "{{.Config.User}}", "{{.Config.Rootfs}}", "{{.Config.Network}}",
            "{{index .Config.Mounts 0}}", "{{(index .Config.Env 0).Value}}", "{{printf \"%v\" (index .Config.Mounts 0).Source}}",
            "{{print (index .Config.Env 0).Value}}",
            // literal \\t and \\n stay as typed in inspect (Docker replaces them only in ls)
            "{{.Name}}\\t{{.Enabled}}\\n");

    private static final List<String> PATHS = List.of(".Name", ".Enabled", ".Config.Description", ".Config.Mounts",
            ".Settings.Env", ".Settings.Mounts", ".Config.Linux.Devices", ".Config.Env", ".Config.Args.Value",
            ".Config.User.UID", ".Config.Interface.Types", ".Settings.Args", ".Settings.Devices", ".Config.Linux.Capabilities");

    private static final List<String> FORMS = List.of("{{%s}}", "{{json %s}}", "{{len %s}}",
            "{{if %s}}T{{else}}F{{end}}", "{{range %s}}[{{.}}]{{else}}none{{end}}", "{{printf \"%%v|%%T\" %s}}",
            "{{with %s}}<{{.}}>{{end}}", "{{index %s 0}}");

    /** Every hand-written idiom, then each field path in each form. */
    static List<String> inspect() {
        List<String> all = new ArrayList<>(INSPECT_IDIOMS);
        for (String form : FORMS) {
            for (String path : PATHS) {
                all.add(String.format(form, path));
            }
        }
        return all;
    }

    /** {@code ls --format} templates, over Docker's formatter context. */
    static final List<String> LS = List.of("{{.Name}}", "{{.ID}}", "{{.Enabled}}", "{{.Description}}",
            "{{.PluginReference}}", "{{json .}}", "{{.Name}}\\t{{.Enabled}}", "table {{.Name}}\\t{{.Enabled}}",
            "table {{.ID}}\\t{{.Name}}\\t{{.PluginReference}}", "table", "raw", "table {{.Name}}",
            "{{.Name | upper}}", "{{if .Enabled}}on{{else}}off{{end}} {{.Name}}", "{{printf \"%-30s|\" .Name}}",
            "{{.Foo}}", "{{foo}}", "{{.Name 1}}", "table {{json .Name}}\\t{{upper .Description}}",
            "{{split .Name \":\"}}", "{{len .Name}}", "  {{.Name}}  ", "table {{.Name}}\\t", "{{.Name}}\\n",
            "{{$n := .Name}}{{$n}}", "{{.ID | truncate}}", "{{truncate .Name 4}}", "tablex {{.Name}}", "json",
            "{{.Description | title}}", "table {{.Description}}\\t{{.Enabled}}", "{{/* c */}}{{.Enabled}}");
}
