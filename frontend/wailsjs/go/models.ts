export namespace app {
	
	export class About {
	    version: string;
	    commit: string;
	    buildDate: string;
	    wails: string;
	    go: string;
	    platform: string;
	    license: string;
	    logDir: string;
	    configDir: string;
	
	    static createFrom(source: any = {}) {
	        return new About(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.commit = source["commit"];
	        this.buildDate = source["buildDate"];
	        this.wails = source["wails"];
	        this.go = source["go"];
	        this.platform = source["platform"];
	        this.license = source["license"];
	        this.logDir = source["logDir"];
	        this.configDir = source["configDir"];
	    }
	}
	export class ActionOptions {
	    timeout?: number;
	    overruleShutdown?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ActionOptions(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.timeout = source["timeout"];
	        this.overruleShutdown = source["overruleShutdown"];
	    }
	}
	export class Alert {
	    id: string;
	    ruleId: string;
	    ruleName: string;
	    builtin: string;
	    metric: string;
	    cluster: string;
	    clusterName: string;
	    target: string;
	    targetName: string;
	    node: string;
	    state: string;
	    value: number;
	    trigger: number;
	    pendingAt: number;
	    firingAt: number;
	    resolvedAt: number;
	    ackedAt: number;
	    snoozedUntil: number;
	
	    static createFrom(source: any = {}) {
	        return new Alert(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.ruleId = source["ruleId"];
	        this.ruleName = source["ruleName"];
	        this.builtin = source["builtin"];
	        this.metric = source["metric"];
	        this.cluster = source["cluster"];
	        this.clusterName = source["clusterName"];
	        this.target = source["target"];
	        this.targetName = source["targetName"];
	        this.node = source["node"];
	        this.state = source["state"];
	        this.value = source["value"];
	        this.trigger = source["trigger"];
	        this.pendingAt = source["pendingAt"];
	        this.firingAt = source["firingAt"];
	        this.resolvedAt = source["resolvedAt"];
	        this.ackedAt = source["ackedAt"];
	        this.snoozedUntil = source["snoozedUntil"];
	    }
	}
	export class AlertRule {
	    id: string;
	    name: string;
	    builtin: string;
	    metric: string;
	    scope: string;
	    cluster: string;
	    node: string;
	    guest: string;
	    tag: string;
	    trigger: number;
	    clear: number;
	    forSeconds: number;
	    enabled: boolean;
	    notify: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AlertRule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.builtin = source["builtin"];
	        this.metric = source["metric"];
	        this.scope = source["scope"];
	        this.cluster = source["cluster"];
	        this.node = source["node"];
	        this.guest = source["guest"];
	        this.tag = source["tag"];
	        this.trigger = source["trigger"];
	        this.clear = source["clear"];
	        this.forSeconds = source["forSeconds"];
	        this.enabled = source["enabled"];
	        this.notify = source["notify"];
	    }
	}
	export class AlertsView {
	    active: Alert[];
	    history: Alert[];
	    rules: AlertRule[];
	
	    static createFrom(source: any = {}) {
	        return new AlertsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = this.convertValues(source["active"], Alert);
	        this.history = this.convertValues(source["history"], Alert);
	        this.rules = this.convertValues(source["rules"], AlertRule);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Certificate {
	    fingerprint: string;
	    subject: string;
	    issuer: string;
	    notBefore: number;
	    notAfter: number;
	    dnsNames: string[];
	    ipAddresses: string[];
	    selfSigned: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Certificate(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fingerprint = source["fingerprint"];
	        this.subject = source["subject"];
	        this.issuer = source["issuer"];
	        this.notBefore = source["notBefore"];
	        this.notAfter = source["notAfter"];
	        this.dnsNames = source["dnsNames"];
	        this.ipAddresses = source["ipAddresses"];
	        this.selfSigned = source["selfSigned"];
	    }
	}
	export class CertChange {
	    url: string;
	    node: string;
	    expected: string;
	    actual: Certificate;
	
	    static createFrom(source: any = {}) {
	        return new CertChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.url = source["url"];
	        this.node = source["node"];
	        this.expected = source["expected"];
	        this.actual = this.convertValues(source["actual"], Certificate);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ClusterInput {
	    name: string;
	    address: string;
	    tokenId: string;
	    secret: string;
	    history?: string;
	
	    static createFrom(source: any = {}) {
	        return new ClusterInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.address = source["address"];
	        this.tokenId = source["tokenId"];
	        this.secret = source["secret"];
	        this.history = source["history"];
	    }
	}
	export class Endpoint {
	    node: string;
	    url: string;
	    fingerprint: string;
	    active: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Endpoint(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.node = source["node"];
	        this.url = source["url"];
	        this.fingerprint = source["fingerprint"];
	        this.active = source["active"];
	    }
	}
	export class ErrorInfo {
	    code: string;
	    message: string;
	    detail?: string;
	    params?: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new ErrorInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.message = source["message"];
	        this.detail = source["detail"];
	        this.params = source["params"];
	    }
	}
	export class ClusterState {
	    id: string;
	    name: string;
	    endpoint: string;
	    demo: boolean;
	    version: string;
	    status: string;
	    error?: ErrorInfo;
	    lastPollAt: number;
	    clusterName: string;
	    tokenId: string;
	    endpoints: Endpoint[];
	    certChange?: CertChange;
	    permissions: Record<string, Record<string, boolean>>;
	
	    static createFrom(source: any = {}) {
	        return new ClusterState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.endpoint = source["endpoint"];
	        this.demo = source["demo"];
	        this.version = source["version"];
	        this.status = source["status"];
	        this.error = this.convertValues(source["error"], ErrorInfo);
	        this.lastPollAt = source["lastPollAt"];
	        this.clusterName = source["clusterName"];
	        this.tokenId = source["tokenId"];
	        this.endpoints = this.convertValues(source["endpoints"], Endpoint);
	        this.certChange = this.convertValues(source["certChange"], CertChange);
	        this.permissions = source["permissions"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Console {
	    id: string;
	    url: string;
	    cluster: string;
	    guestId: string;
	    guestName: string;
	    node: string;
	    vmid: number;
	    type: string;
	
	    static createFrom(source: any = {}) {
	        return new Console(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.url = source["url"];
	        this.cluster = source["cluster"];
	        this.guestId = source["guestId"];
	        this.guestName = source["guestName"];
	        this.node = source["node"];
	        this.vmid = source["vmid"];
	        this.type = source["type"];
	    }
	}
	
	export class Environment {
	    locale: string;
	    version: string;
	    demo: boolean;
	    notices: ErrorInfo[];
	    failure?: ErrorInfo;
	
	    static createFrom(source: any = {}) {
	        return new Environment(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.locale = source["locale"];
	        this.version = source["version"];
	        this.demo = source["demo"];
	        this.notices = this.convertValues(source["notices"], ErrorInfo);
	        this.failure = this.convertValues(source["failure"], ErrorInfo);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Guest {
	    cluster: string;
	    id: string;
	    vmid: number;
	    name: string;
	    type: string;
	    node: string;
	    status: string;
	    template: boolean;
	    lock?: string;
	    hastate?: string;
	    cpu: number;
	    maxcpu: number;
	    mem: number;
	    maxmem: number;
	    uptime: number;
	    tags: string[];
	    memhost: number;
	    nodeOffline?: boolean;
	    reportedAt?: number;
	    diskread?: number;
	    diskwrite?: number;
	    netin?: number;
	    netout?: number;
	
	    static createFrom(source: any = {}) {
	        return new Guest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cluster = source["cluster"];
	        this.id = source["id"];
	        this.vmid = source["vmid"];
	        this.name = source["name"];
	        this.type = source["type"];
	        this.node = source["node"];
	        this.status = source["status"];
	        this.template = source["template"];
	        this.lock = source["lock"];
	        this.hastate = source["hastate"];
	        this.cpu = source["cpu"];
	        this.maxcpu = source["maxcpu"];
	        this.mem = source["mem"];
	        this.maxmem = source["maxmem"];
	        this.uptime = source["uptime"];
	        this.tags = source["tags"];
	        this.memhost = source["memhost"];
	        this.nodeOffline = source["nodeOffline"];
	        this.reportedAt = source["reportedAt"];
	        this.diskread = source["diskread"];
	        this.diskwrite = source["diskwrite"];
	        this.netin = source["netin"];
	        this.netout = source["netout"];
	    }
	}
	export class Task {
	    upid: string;
	    cluster: string;
	    node: string;
	    guestId: string;
	    vmid: number;
	    guestName: string;
	    action: string;
	    status: string;
	    exitStatus?: string;
	    startedAt: number;
	    endedAt?: number;
	    error?: ErrorInfo;
	
	    static createFrom(source: any = {}) {
	        return new Task(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.upid = source["upid"];
	        this.cluster = source["cluster"];
	        this.node = source["node"];
	        this.guestId = source["guestId"];
	        this.vmid = source["vmid"];
	        this.guestName = source["guestName"];
	        this.action = source["action"];
	        this.status = source["status"];
	        this.exitStatus = source["exitStatus"];
	        this.startedAt = source["startedAt"];
	        this.endedAt = source["endedAt"];
	        this.error = this.convertValues(source["error"], ErrorInfo);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class GuestDetails {
	    guest: Guest;
	    config: {[key: string]: string};
	    tasks: Task[];
	
	    static createFrom(source: any = {}) {
	        return new GuestDetails(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.guest = this.convertValues(source["guest"], Guest);
	        this.config = source["config"];
	        this.tasks = this.convertValues(source["tasks"], Task);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class GuestTarget {
	    cluster: string;
	    guestId: string;
	
	    static createFrom(source: any = {}) {
	        return new GuestTarget(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cluster = source["cluster"];
	        this.guestId = source["guestId"];
	    }
	}
	export class HistoryStatus {
	    saving: boolean;
	    reason: string;
	    freeBytes: number;
	    dir: string;
	    unsaved: number;
	    dropped: number;
	    since: number;
	
	    static createFrom(source: any = {}) {
	        return new HistoryStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.saving = source["saving"];
	        this.reason = source["reason"];
	        this.freeBytes = source["freeBytes"];
	        this.dir = source["dir"];
	        this.unsaved = source["unsaved"];
	        this.dropped = source["dropped"];
	        this.since = source["since"];
	    }
	}
	export class Node {
	    cluster: string;
	    name: string;
	    status: string;
	    cpu: number;
	    maxcpu: number;
	    mem: number;
	    maxmem: number;
	    uptime: number;
	    netin?: number;
	    netout?: number;
	
	    static createFrom(source: any = {}) {
	        return new Node(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cluster = source["cluster"];
	        this.name = source["name"];
	        this.status = source["status"];
	        this.cpu = source["cpu"];
	        this.maxcpu = source["maxcpu"];
	        this.mem = source["mem"];
	        this.maxmem = source["maxmem"];
	        this.uptime = source["uptime"];
	        this.netin = source["netin"];
	        this.netout = source["netout"];
	    }
	}
	export class Inventory {
	    clusters: ClusterState[];
	    nodes: Node[];
	    guests: Guest[];
	    alerts: Alert[];
	    updatedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new Inventory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.clusters = this.convertValues(source["clusters"], ClusterState);
	        this.nodes = this.convertValues(source["nodes"], Node);
	        this.guests = this.convertValues(source["guests"], Guest);
	        this.alerts = this.convertValues(source["alerts"], Alert);
	        this.updatedAt = source["updatedAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class KeptHistory {
	    id: string;
	    name: string;
	    clusterName: string;
	    nodes: string[];
	    removedAt: number;
	    targets: number;
	
	    static createFrom(source: any = {}) {
	        return new KeptHistory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.clusterName = source["clusterName"];
	        this.nodes = source["nodes"];
	        this.removedAt = source["removedAt"];
	        this.targets = source["targets"];
	    }
	}
	
	export class Probe {
	    endpoint: string;
	    host: string;
	    version: string;
	    certificate: Certificate;
	
	    static createFrom(source: any = {}) {
	        return new Probe(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.endpoint = source["endpoint"];
	        this.host = source["host"];
	        this.version = source["version"];
	        this.certificate = this.convertValues(source["certificate"], Certificate);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Series {
	    times: number[];
	    columns: {[key: string]: []};
	    step: number;
	    tier: string;
	
	    static createFrom(source: any = {}) {
	        return new Series(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.times = source["times"];
	        this.columns = source["columns"];
	        this.step = source["step"];
	        this.tier = source["tier"];
	    }
	}
	export class Settings {
	    language: string;
	    theme: string;
	    pollSeconds: number;
	    minimisedPollSeconds: number;
	    rawHours: number;
	    m5Days: number;
	    m15Days: number;
	    h1Days: number;
	    maxHistoryMB: number;
	    consoleScaling: string;
	    pasteLayout: string;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.language = source["language"];
	        this.theme = source["theme"];
	        this.pollSeconds = source["pollSeconds"];
	        this.minimisedPollSeconds = source["minimisedPollSeconds"];
	        this.rawHours = source["rawHours"];
	        this.m5Days = source["m5Days"];
	        this.m15Days = source["m15Days"];
	        this.h1Days = source["h1Days"];
	        this.maxHistoryMB = source["maxHistoryMB"];
	        this.consoleScaling = source["consoleScaling"];
	        this.pasteLayout = source["pasteLayout"];
	    }
	}
	export class SettingsView {
	    settings: Settings;
	    defaults: Settings;
	    historyBytes: number;
	    historyPath: string;
	
	    static createFrom(source: any = {}) {
	        return new SettingsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], Settings);
	        this.defaults = this.convertValues(source["defaults"], Settings);
	        this.historyBytes = source["historyBytes"];
	        this.historyPath = source["historyPath"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Sparklines {
	    times: number[];
	    values: {[key: string]: []};
	
	    static createFrom(source: any = {}) {
	        return new Sparklines(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.times = source["times"];
	        this.values = source["values"];
	    }
	}
	
	export class TaskLogLine {
	    n: number;
	    t: string;
	
	    static createFrom(source: any = {}) {
	        return new TaskLogLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.n = source["n"];
	        this.t = source["t"];
	    }
	}

}

