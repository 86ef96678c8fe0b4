export namespace app {
	
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
	export class Environment {
	    locale: string;
	    version: string;
	    demo: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Environment(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.locale = source["locale"];
	        this.version = source["version"];
	        this.demo = source["demo"];
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
	    }
	}
	export class Inventory {
	    clusters: ClusterState[];
	    nodes: Node[];
	    guests: Guest[];
	    updatedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new Inventory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.clusters = this.convertValues(source["clusters"], ClusterState);
	        this.nodes = this.convertValues(source["nodes"], Node);
	        this.guests = this.convertValues(source["guests"], Guest);
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

}

