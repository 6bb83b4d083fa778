//! The deployment files of `deploy/` (issue 15 point 3), read and run as the engines would.
//!
//! Kubernetes cannot run here, so its manifests are parsed (YAML), held to what the binary
//! reads (the index variable, the mount paths, N shards = completions = parallelism = the
//! parts merged), and then their containers' commands are run by this test as the kubelet
//! would: each mount path replaced by a folder (the ConfigMap laid out as Kubernetes lays
//! it, files behind `..data` links), `$(JOB_COMPLETION_INDEX)` expanded, the variable set.
//! The Slurm scripts are run the same way: `submit.sh` against a stand-in `sbatch` that
//! records its calls, then each recorded job run as Slurm runs it (every array index with
//! `SLURM_ARRAY_TASK_ID`, the dependent merge after). Both must end in the
//! single-machine `comparison.csv`, byte for byte. `.ci/slurm-test` runs the same
//! scripts on a real single-node Slurm cluster.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yaml_rust2::{Yaml, YamlLoader};

use crate::util::{caseload, demo, stderr, stdout};

/// A short plan on the demo: a baseline, a variant with random draws, a policy change.
const VARIANTS: &str = r#"
seed = 3
seeds = 2
time_limit_s = 20

[[variant]]
name = "Today"

[[variant]]
name = "Two leave"
change = [{ do = "remove_workers", count = 2 }]

[[variant]]
name = "Cap 20"
change = [{ do = "policy", standard_capacity = 20 }]
"#;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The one YAML document of `deploy/kubernetes/NAME`.
fn manifest(name: &str) -> Yaml {
    let path = root().join("deploy/kubernetes").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs =
        YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn text<'a>(yaml: &'a Yaml, what: &str) -> &'a str {
    yaml.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {yaml:?}"))
}

fn list<'a>(yaml: &'a Yaml, what: &str) -> &'a [Yaml] {
    yaml.as_vec()
        .unwrap_or_else(|| panic!("{what} is not a list: {yaml:?}"))
}

fn strings(yaml: &Yaml, what: &str) -> Vec<String> {
    list(yaml, what)
        .iter()
        .map(|item| text(item, what).to_string())
        .collect()
}

/// A Job's one container, with its pod spec.
fn container(job: &Yaml, name: &str) -> (Yaml, Yaml) {
    assert_eq!(text(&job["apiVersion"], "apiVersion"), "batch/v1", "{name}");
    assert_eq!(text(&job["kind"], "kind"), "Job", "{name}");
    let pod = job["spec"]["template"]["spec"].clone();
    assert_eq!(
        text(&pod["restartPolicy"], "restartPolicy"),
        "Never",
        "{name}: a failed shard must fail its pod, not restart in place"
    );
    let containers = list(&pod["containers"], "containers");
    assert_eq!(containers.len(), 1, "{name}: one container");
    (containers[0].clone(), pod)
}

/// The container's mounts: mount path → (volume, ConfigMap or PersistentVolumeClaim name).
fn mounts(container: &Yaml, pod: &Yaml) -> BTreeMap<String, (String, String)> {
    let volumes = list(&pod["volumes"], "volumes");
    list(&container["volumeMounts"], "volumeMounts")
        .iter()
        .map(|mount| {
            let volume = text(&mount["name"], "volumeMount name");
            let source = volumes
                .iter()
                .find(|v| v["name"].as_str() == Some(volume))
                .unwrap_or_else(|| panic!("no volume {volume}"));
            let kind = if source["configMap"].is_badvalue() {
                format!(
                    "pvc:{}",
                    text(&source["persistentVolumeClaim"]["claimName"], "claimName")
                )
            } else {
                format!(
                    "configmap:{}",
                    text(&source["configMap"]["name"], "configMap name")
                )
            };
            (
                text(&mount["mountPath"], "mountPath").to_string(),
                (volume.to_string(), kind),
            )
        })
        .collect()
}

/// The value after `flag` in `args`.
fn flag<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args.get(at + 1)
        .unwrap_or_else(|| panic!("{flag} without a value in {args:?}"))
}

/// The number of shards of the shipped Indexed Job, checked against its completions and
/// parallelism.
fn shards_of(job: &Yaml, args: &[String]) -> i64 {
    let n: i64 = flag(args, "--shard")
        .strip_prefix("auto/")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--shard is not auto/N: {args:?}"));
    assert_eq!(
        job["spec"]["completions"].as_i64(),
        Some(n),
        "completions = N of --shard auto/N"
    );
    assert_eq!(
        job["spec"]["parallelism"].as_i64(),
        Some(n),
        "parallelism = N"
    );
    n
}

#[test]
fn the_kubernetes_manifests_parse_and_agree_with_each_other_and_the_binary() {
    let pvc = manifest("pvc.yaml");
    assert_eq!(text(&pvc["kind"], "kind"), "PersistentVolumeClaim");
    let claim = text(&pvc["metadata"]["name"], "claim name");
    assert_eq!(
        strings(&pvc["spec"]["accessModes"], "accessModes"),
        ["ReadWriteMany"],
        "the shards and the merge mount the volume at once, maybe on different nodes"
    );

    let job = manifest("whatif-job.yaml");
    assert_eq!(
        text(&job["spec"]["completionMode"], "completionMode"),
        "Indexed"
    );
    let (shard, pod) = container(&job, "whatif-job.yaml");
    assert_eq!(strings(&shard["command"], "command"), ["caseload"]);
    let args = strings(&shard["args"], "args");
    assert_eq!(args[0], "whatif");
    let n = shards_of(&job, &args);
    // The index variable: the one Kubernetes sets in an Indexed Job, from the annotation.
    let env = list(&shard["env"], "env");
    let index = env
        .iter()
        .find(|e| e["name"].as_str() == Some("JOB_COMPLETION_INDEX"))
        .expect("JOB_COMPLETION_INDEX in env");
    assert_eq!(
        text(&index["valueFrom"]["fieldRef"]["fieldPath"], "fieldPath"),
        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    );
    let mounts_shard = mounts(&shard, &pod);
    let scenario = &args[1];
    assert_eq!(
        mounts_shard.get(scenario.as_str()).map(|m| m.1.as_str()),
        Some("configmap:caseload-scenario"),
        "the scenario folder {scenario} is the ConfigMap's mount: {mounts_shard:?}"
    );
    let out = flag(&args, "--out");
    let (work, _) = out
        .rsplit_once("/parts/")
        .unwrap_or_else(|| panic!("--out {out} not under a parts folder"));
    assert_eq!(out, format!("{work}/parts/part-$(JOB_COMPLETION_INDEX)"));
    assert_eq!(
        mounts_shard.get(work).map(|m| m.1.clone()),
        Some(format!("pvc:{claim}")),
        "the parts are written onto the shared volume"
    );

    let merge_job = manifest("merge-job.yaml");
    let (merge, merge_pod) = container(&merge_job, "merge-job.yaml");
    assert_eq!(
        text(&merge["image"], "image"),
        text(&shard["image"], "image")
    );
    let merge_args = strings(&merge["args"], "merge args");
    assert_eq!(
        merge_args[..3],
        ["merge", "--out", &format!("{work}/comparison")]
    );
    let parts: Vec<String> = (0..n).map(|k| format!("{work}/parts/part-{k}")).collect();
    assert_eq!(
        merge_args[3..],
        parts,
        "the merge lists exactly the N parts the shards write"
    );
    assert_eq!(
        mounts(&merge, &merge_pod).get(work).map(|m| m.1.clone()),
        Some(format!("pvc:{claim}")),
        "the merge reads the same volume at the same path"
    );

    let fetch = manifest("fetch-pod.yaml");
    assert_eq!(text(&fetch["kind"], "kind"), "Pod");
    let volumes = list(&fetch["spec"]["volumes"], "volumes");
    assert!(
        volumes
            .iter()
            .any(|v| v["persistentVolumeClaim"]["claimName"].as_str() == Some(claim)),
        "the fetch pod mounts the claim"
    );
}

/// Lays out `files` as Kubernetes mounts a ConfigMap: the files in a timestamped folder,
/// `..data` a link to it, and each name a link through `..data`.
fn configmap_volume(dir: &Path, files: &[(&str, Vec<u8>)]) {
    let stamp = dir.join("..2026_12_03_12_00_00.000000001");
    fs::create_dir_all(&stamp).expect("configmap folder");
    for (name, bytes) in files {
        fs::write(stamp.join(name), bytes).expect("configmap file");
    }
    std::os::unix::fs::symlink(stamp.file_name().expect("name"), dir.join("..data"))
        .expect("..data link");
    for (name, _) in files {
        std::os::unix::fs::symlink(Path::new("..data").join(name), dir.join(name))
            .expect("file link");
    }
}

/// The demo with the short plan, as files.
fn scenario_files() -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<(&str, Vec<u8>)> = ["workers.csv", "cases.csv", "policy.toml"]
        .into_iter()
        .map(|name| (name, fs::read(demo().join(name)).expect("demo file")))
        .collect();
    files.push(("variants.toml", VARIANTS.as_bytes().to_vec()));
    files
}

/// `comparison.csv` of a single-machine run of the scenario in `dir`.
fn single_machine(dir: &Path, out: &Path) -> Vec<u8> {
    let run = caseload([
        "whatif".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(run.status.success(), "single machine: {}", stderr(&run));
    fs::read(out.join("comparison.csv")).expect("single-machine comparison.csv")
}

/// Runs the binary with `args` and `env`, no shard index variable inherited.
fn run_with(args: &[String], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caseload"));
    command.args(args);
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command.output().expect("the binary runs")
}

#[test]
fn the_kubernetes_jobs_run_as_written_give_the_single_machine_comparison() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("configmap");
    configmap_volume(&scenario, &scenario_files());
    let volume = tmp.path().join("volume");
    fs::create_dir_all(&volume).expect("volume");
    let expected = single_machine(&scenario, &tmp.path().join("single"));

    // What each mount path stands for here.
    let mount = |mounts: &BTreeMap<String, (String, String)>, arg: &str| -> String {
        for (path, (_, source)) in mounts {
            if let Some(rest) = arg.strip_prefix(path.as_str()) {
                if rest.is_empty() || rest.starts_with('/') {
                    let local = if source.starts_with("configmap:") {
                        &scenario
                    } else {
                        &volume
                    };
                    return format!("{}{rest}", local.display());
                }
            }
        }
        arg.to_string()
    };

    let job = manifest("whatif-job.yaml");
    let (shard, pod) = container(&job, "whatif-job.yaml");
    let shard_mounts = mounts(&shard, &pod);
    let args = strings(&shard["args"], "args");
    let n = shards_of(&job, &args);
    for k in 0..n {
        // The kubelet expands $(VAR) of the container's env in args.
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                mount(
                    &shard_mounts,
                    &a.replace("$(JOB_COMPLETION_INDEX)", &k.to_string()),
                )
            })
            .collect();
        let run = run_with(&args, &[("JOB_COMPLETION_INDEX", k.to_string())]);
        assert!(run.status.success(), "pod {k}: {}", stderr(&run));
        let said = format!("{}{}", stdout(&run), stderr(&run));
        assert!(
            said.contains("JOB_COMPLETION_INDEX"),
            "pod {k} says which variable gave its index: {said}"
        );
        assert!(
            volume.join(format!("parts/part-{k}")).is_dir(),
            "part {k} on the volume"
        );
    }

    let merge_job = manifest("merge-job.yaml");
    let (merge, merge_pod) = container(&merge_job, "merge-job.yaml");
    let merge_mounts = mounts(&merge, &merge_pod);
    let merge_args: Vec<String> = strings(&merge["args"], "merge args")
        .iter()
        .map(|a| mount(&merge_mounts, a))
        .collect();
    let run = run_with(&merge_args, &[]);
    assert!(run.status.success(), "merge: {}", stderr(&run));
    let merged = fs::read(volume.join("comparison/comparison.csv")).expect("merged comparison.csv");
    assert!(
        merged == expected,
        "the merged comparison.csv differs from the single machine's"
    );
    assert!(volume.join("comparison/comparison.svg").is_file());
}

/// One recorded `sbatch` call: its job id, its arguments and the `CASELOAD` it saw.
#[derive(Debug)]
struct Call {
    id: u32,
    args: Vec<String>,
    caseload: String,
}

/// The recorded `sbatch` calls, in order.
fn sbatch_calls(log: &Path) -> Vec<Call> {
    let mut calls: Vec<Call> = fs::read_dir(log)
        .expect("sbatch log")
        .filter_map(|entry| {
            let path = entry.expect("entry").path();
            let id: u32 = path.file_name()?.to_str()?.parse().ok()?;
            let text = fs::read_to_string(&path).expect("recorded call");
            let caseload =
                fs::read_to_string(log.join(format!("{id}.caseload"))).expect("recorded CASELOAD");
            Some(Call {
                id,
                args: text.lines().map(str::to_string).collect(),
                caseload,
            })
        })
        .collect();
    calls.sort_by_key(|call| call.id);
    calls
}

/// The value of `--name=value` among sbatch options.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .find_map(|a| a.strip_prefix(&format!("--{name}=")))
}

/// Runs a recorded sbatch call's script as Slurm would, once per array index (with the
/// variables Slurm sets for an array task), in the environment sbatch was called in (here:
/// its `CASELOAD`). Returns each task's index (None outside an array) and output.
fn run_job(job: &Call) -> Vec<(Option<u32>, Output)> {
    let call = &job.args;
    let script = call
        .iter()
        .position(|a| a.ends_with(".sbatch"))
        .expect("a script among sbatch's arguments");
    let indices: Vec<Option<u32>> = match option(call, "array") {
        Some(spec) => {
            let range = spec.split('%').next().unwrap_or(spec);
            let (first, last) = range.split_once('-').unwrap_or((range, range));
            let (first, last): (u32, u32) =
                (first.parse().expect("first"), last.parse().expect("last"));
            (first..=last).map(Some).collect()
        }
        None => vec![None],
    };
    let (min, max) = (indices[0], indices[indices.len() - 1]);
    let mut outputs = Vec::new();
    for index in indices.iter().copied() {
        let mut command = Command::new("bash");
        command
            .args(&call[script..])
            .env("SLURM_JOB_ID", job.id.to_string())
            .env("CASELOAD", &job.caseload);
        for var in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_MIN",
            "JOB_COMPLETION_INDEX",
            "AWS_BATCH_JOB_ARRAY_INDEX",
        ] {
            command.env_remove(var);
        }
        if let (Some(index), Some(min), Some(max)) = (index, min, max) {
            command
                .env("SLURM_ARRAY_JOB_ID", job.id.to_string())
                .env("SLURM_ARRAY_TASK_ID", index.to_string())
                .env("SLURM_ARRAY_TASK_MIN", min.to_string())
                .env("SLURM_ARRAY_TASK_MAX", max.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", indices.len().to_string());
        }
        if let Some(cpus) = option(call, "cpus-per-task") {
            command.env("SLURM_CPUS_PER_TASK", cpus);
        }
        outputs.push((index, command.output().expect("bash runs")));
    }
    outputs
}

/// Runs a recorded job; every task must succeed, and each array task K must have solved
/// shard K into `WORK/parts/part-K`, saying that its index came from Slurm.
fn run_ok(job: &Call, work: &Path) {
    for (index, run) in run_job(job) {
        let said = format!("{}{}", stdout(&run), stderr(&run));
        assert!(
            run.status.success(),
            "{:?} task {index:?}: {said}",
            job.args
        );
        let Some(k) = index else { continue };
        assert!(
            said.contains("SLURM_ARRAY_TASK_ID"),
            "task {k} says which variable gave its index: {said}"
        );
        let manifest = work.join(format!("parts/part-{k}/manifest.json"));
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&manifest).expect("the part's manifest"))
                .expect("manifest JSON");
        assert_eq!(manifest["shard"], k, "task {k} solved shard {k}");
    }
}

#[test]
fn the_slurm_scripts_submit_an_array_of_n_and_a_dependent_merge_of_the_same_parts() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("scenario");
    fs::create_dir_all(&scenario).expect("scenario");
    for (name, bytes) in scenario_files() {
        fs::write(scenario.join(name), bytes).expect("scenario file");
    }
    let expected = single_machine(&scenario, &tmp.path().join("single"));

    // A stand-in sbatch: records its arguments, one a line, and answers a job id.
    let bin = tmp.path().join("bin");
    let log = tmp.path().join("sbatch-calls");
    fs::create_dir_all(&bin).expect("bin");
    fs::create_dir_all(&log).expect("log");
    let sbatch = bin.join("sbatch");
    fs::write(
        &sbatch,
        format!(
            "#!/usr/bin/env bash\nid=$(( $(ls {log} | grep -c -v '\\.') + 41 ))\nprintf '%s\\n' \"$@\" > {log}/$id\nprintf '%s' \"$CASELOAD\" > {log}/$id.caseload\necho \"$id\"\n",
            log = log.display()
        ),
    )
    .expect("sbatch");
    fs::set_permissions(&sbatch, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");

    let work = tmp.path().join("shared/work");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let submit = Command::new("bash")
        .arg(root().join("deploy/slurm/submit.sh"))
        .args([
            "--shards",
            "3",
            "--cpus",
            "2",
            "--caseload",
            env!("CARGO_BIN_EXE_caseload"),
        ])
        .arg(&scenario)
        .arg(&work)
        .args(["--", "--account=planning"])
        .env("PATH", path)
        .output()
        .expect("submit.sh runs");
    assert!(submit.status.success(), "submit.sh: {}", stderr(&submit));
    assert_eq!(stdout(&submit), "array_job=41\nmerge_job=42\n");

    let calls = sbatch_calls(&log);
    assert_eq!(calls.len(), 2, "two jobs: {calls:?}");
    let (array_job, merge_job) = (&calls[0], &calls[1]);
    let (array, merge) = (&array_job.args, &merge_job.args);
    let work = work.canonicalize().expect("work made");
    assert_eq!(
        option(array, "array"),
        Some("0-2"),
        "array of N = 3: {array:?}"
    );
    assert_eq!(option(array, "cpus-per-task"), Some("2"));
    assert_eq!(
        option(array, "output").map(PathBuf::from),
        Some(work.join("logs/shard-%A_%a.out")),
        "one log per task"
    );
    assert_eq!(option(merge, "dependency"), Some("afterok:41"), "{merge:?}");
    assert_eq!(option(merge, "kill-on-invalid-dep"), Some("yes"));
    assert!(option(merge, "array").is_none());
    for job in [array_job, merge_job] {
        assert!(
            job.args.contains(&"--account=planning".to_string()),
            "extra options passed on: {:?}",
            job.args
        );
        assert_eq!(
            job.caseload,
            env!("CARGO_BIN_EXE_caseload"),
            "the binary passed on"
        );
    }
    let tail = |call: &[String]| -> Vec<String> {
        let at = call
            .iter()
            .position(|a| a.ends_with(".sbatch"))
            .expect("script");
        call[at..].to_vec()
    };
    let slurm = root().join("deploy/slurm");
    let (scenario, work) = (
        scenario.canonicalize().expect("scenario"),
        work.display().to_string(),
    );
    assert_eq!(
        tail(array),
        [
            slurm.join("shard.sbatch").display().to_string(),
            "3".into(),
            scenario.display().to_string(),
            work.clone()
        ]
    );
    assert_eq!(
        tail(merge),
        [
            slurm.join("merge.sbatch").display().to_string(),
            "3".into(),
            work.clone()
        ]
    );

    // Slurm's part: every index of the array, then the merge.
    let work = PathBuf::from(work);
    run_ok(array_job, &work);
    run_ok(merge_job, &work);
    let comparison = work.join("comparison/comparison.csv");
    let merged = fs::read(&comparison).expect("merged comparison.csv");
    assert!(
        merged == expected,
        "the merged comparison.csv differs from the single machine's"
    );

    // A shard lost: the merge refuses, naming it, and writes nothing; the README's
    // recovery (that shard alone, `--array=1`, then the merge) gives the same comparison.
    fs::remove_dir_all(work.join("parts/part-1")).expect("part 1 removed");
    fs::remove_dir_all(work.join("comparison")).expect("comparison removed");
    let refused = run_job(merge_job);
    let said = stderr(&refused[0].1);
    assert_eq!(refused[0].1.status.code(), Some(2), "{said}");
    assert!(said.contains("part-1"), "the missing part is named: {said}");
    assert!(!comparison.exists(), "nothing written");
    let sbatch = |args: &[&str]| {
        let run = Command::new(&sbatch)
            .args(args)
            .env("CASELOAD", env!("CARGO_BIN_EXE_caseload"))
            .output()
            .expect("sbatch runs");
        assert!(run.status.success(), "{}", stderr(&run));
    };
    let (shard_script, merge_script) = (slurm.join("shard.sbatch"), slurm.join("merge.sbatch"));
    let scenario_arg = scenario.display().to_string();
    let work_arg = work.display().to_string();
    sbatch(&[
        "--array=1",
        &shard_script.display().to_string(),
        "3",
        &scenario_arg,
        &work_arg,
    ]);
    sbatch(&[
        "--dependency=afterok:43",
        &merge_script.display().to_string(),
        "3",
        &work_arg,
    ]);
    let calls = sbatch_calls(&log);
    assert_eq!(calls.len(), 4);
    run_ok(&calls[2], &work);
    run_ok(&calls[3], &work);
    let merged = fs::read(&comparison).expect("merged again");
    assert!(merged == expected, "the merge after the re-run differs");
}
